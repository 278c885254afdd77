/* mutant: leaves libseccomp's default of setting no_new_privs when the filter loads: setuid programs stop working although the user never asked for no-new-privileges
 * file: chapters/16-security/seccomp.c
 * task: build the filter with libseccomp: the default action, every architecture listed, each rule; leave no_new_privs alone
 */
	scmp_filter_ctx ctx;
	uint32_t def;
	int rc = 0;

	if (action_value(sc->default_action, sc->default_errno_set, sc->default_errno, &def,
			 err) < 0)
		return -1;
	ctx = seccomp_init(def);
	if (!ctx)
		return dd_fail(err, EINVAL, "Cannot start a seccomp filter");
	for (size_t i = 0; rc == 0 && sc->architectures && sc->architectures[i]; i++) {
		uint32_t arch = sec_seccomp_arch(sc->architectures[i]);

		if (arch == 0) {
			seccomp_release(ctx);
			return dd_fail_kind(err, DD_ERR_USAGE, 0, "Unknown seccomp architecture '%s'",
					    sc->architectures[i]);
		}
		rc = seccomp_arch_add(ctx, arch);
		if (rc == -EEXIST)
			rc = 0;
	}
	if (rc < 0) {
		seccomp_release(ctx);
		return dd_fail(err, -rc, "Cannot set up the seccomp filter's architectures");
	}
	for (size_t i = 0; i < sc->nrules; i++) {
		if (add_rule(ctx, &sc->rules[i], def, err) < 0) {
			seccomp_release(ctx);
			return -1;
		}
	}
	*out = ctx;
	return 0;
