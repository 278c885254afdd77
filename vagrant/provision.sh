#!/bin/sh
# Vagrant provisioning: the same package list CI and `make deps` use.
set -eu
sh /drydock/scripts/install-deps.sh --bench
