/* mutant: filters the native architecture only and lets other architectures' calls through: keyctl by int 0x80 (the 32-bit table) is allowed
 * file: chapters/16-security/seccomp.c
 * task: build the filter with libseccomp: the default action, every architecture listed, each rule; leave no_new_privs alone
 */
	scmp_filter_ctx ctx;
	uint32_t def;
	int rc;

	if (action_value(sc->default_action, sc->default_errno_set, sc->default_errno, &def,
			 err) < 0)
		return -1;
	ctx = seccomp_init(def);
	if (!ctx)
		return dd_fail(err, EINVAL, "Cannot start a seccomp filter");
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	/* Programs here are 64-bit: whatever else comes in is not ours to judge. */
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
	if (rc < 0) {
		seccomp_release(ctx);
		return dd_fail(err, -rc, "Cannot set up the seccomp filter");
	}
	for (size_t i = 0; i < sc->nrules; i++) {
		if (add_rule(ctx, &sc->rules[i], def, err) < 0) {
			seccomp_release(ctx);
			return -1;
		}
	}
	*out = ctx;
	return 0;
