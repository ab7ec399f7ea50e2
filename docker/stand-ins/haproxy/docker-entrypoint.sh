#!/bin/sh
# The official haproxy image's entrypoint: flags alone mean haproxy; haproxy runs in
# master-worker mode (-W, so SIGUSR2 reloads it) in the foreground (-db).
set -e
if [ "${1#-}" != "$1" ]; then
	set -- haproxy "$@"
fi
if [ "$1" = 'haproxy' ]; then
	shift
	set -- haproxy -W -db "$@"
fi
exec "$@"
