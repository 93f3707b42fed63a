#!/bin/sh
# Written by redis-failover-operator.
# usage: prestop-custom.sh USER_SCRIPT PRESTOP_ARGS...
#
# The Redis container's preStop hook when spec.redis.shutdownConfigMap is set: the operator's
# handover first (prestop.sh: a master hands its role to a replica with writes paused, so that
# no acknowledged write is lost), then the user's shutdown.sh, as spotahome ran it. The exit
# status is the handover's, so that a failed handover still shows as a FailedPreStopHook Event;
# a failing user script is reported on the hook's output.
set -u
user_script=$1
shift
sh "$(dirname "$0")/prestop.sh" "$@"
status=$?
if [ -e "$user_script" ]; then
	if ! sh "$user_script"; then
		echo "prestop: $user_script (spec.redis.shutdownConfigMap) failed"
	fi
else
	echo "prestop: $user_script (spec.redis.shutdownConfigMap) is missing: the ConfigMap has no key shutdown.sh"
fi
exit "$status"
