# shellcheck shell=bash disable=SC2034
# Images without a registry: a root file system folder packed as an OCI archive (tar, sha256sum,
# jq) and imported into the local node's containerd. Requires lib/common.sh and lib/cluster.sh.

IMAGES_WORK="${REPO}/.local/images"
CONTAINERD_SOCK="${STATE}/containerd/containerd.sock"

ctr_local() { ctr --address "${CONTAINERD_SOCK}" --namespace k8s.io "$@"; }

containerd_running() { [[ -S "${CONTAINERD_SOCK}" ]] && ctr --address "${CONTAINERD_SOCK}" version >/dev/null 2>&1; }

# (The listing is read in full before grep: grep -q exiting early would make ctr fail with SIGPIPE.)
image_present() {
  local refs
  refs=$(ctr_local images ls -q 2>/dev/null) || return 1
  grep -qxF "$1" <<<"${refs}"
}

# oci_pack ROOTFS OUT NAME CONFIG_JSON: packs ROOTFS as a one-layer OCI image archive named NAME.
# CONFIG_JSON is the image's runtime config (Entrypoint, Cmd, Env, WorkingDir). The layer is
# reproducible (sorted, fixed times and owners), so an unchanged root file system gives the same
# digest and a re-import is a no-op for containerd.
oci_pack() {
  local rootfs="$1" out="$2" name="$3" config="$4"
  local dir
  dir=$(mktemp -d "${IMAGES_WORK}/.oci.XXXXXX")
  mkdir -p "${dir}/blobs/sha256"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "${rootfs}" -cf "${dir}/layer.tar" .
  local layer_digest layer_size
  layer_digest=$(sha256sum "${dir}/layer.tar" | cut -d' ' -f1)
  layer_size=$(stat -c %s "${dir}/layer.tar")
  mv "${dir}/layer.tar" "${dir}/blobs/sha256/${layer_digest}"

  jq -cn --argjson config "${config}" --arg diff "sha256:${layer_digest}" \
    '{architecture: "amd64", os: "linux", config: $config, rootfs: {type: "layers", diff_ids: [$diff]}}' \
    >"${dir}/config.json"
  local config_digest config_size
  config_digest=$(sha256sum "${dir}/config.json" | cut -d' ' -f1)
  config_size=$(stat -c %s "${dir}/config.json")
  mv "${dir}/config.json" "${dir}/blobs/sha256/${config_digest}"

  jq -cn --arg cd "sha256:${config_digest}" --argjson cs "${config_size}" \
    --arg ld "sha256:${layer_digest}" --argjson ls "${layer_size}" \
    '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
      layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $ld, size: $ls}]}' \
    >"${dir}/manifest.json"
  local manifest_digest manifest_size
  manifest_digest=$(sha256sum "${dir}/manifest.json" | cut -d' ' -f1)
  manifest_size=$(stat -c %s "${dir}/manifest.json")
  mv "${dir}/manifest.json" "${dir}/blobs/sha256/${manifest_digest}"

  printf '{"imageLayoutVersion":"1.0.0"}' >"${dir}/oci-layout"
  jq -cn --arg md "sha256:${manifest_digest}" --argjson ms "${manifest_size}" --arg name "${name}" \
    '{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: $md, size: $ms, platform: {architecture: "amd64", os: "linux"},
      annotations: {"io.containerd.image.name": $name, "org.opencontainers.image.ref.name": $name}}]}' \
    >"${dir}/index.json"
  tar -C "${dir}" -cf "${out}" oci-layout index.json blobs
  rm -rf "${dir}"
}

# image_load NAME ROOTFS CONFIG_JSON: packs and imports one image.
image_load() {
  local name="$1" rootfs="$2" config="$3"
  local archive
  archive="${IMAGES_WORK}/$(printf '%s' "${name}" | tr '/:' '__').oci.tar"
  oci_pack "${rootfs}" "${archive}" "${name}" "${config}"
  ctr_local images import --no-unpack=false "${archive}" >/dev/null ||
    die "importing ${name} from ${archive} into the node's containerd failed"
  image_present "${name}" || die "${name} is not listed by containerd after importing ${archive}"
  log "    ${name}: $(du -sh "${archive}" | cut -f1) imported"
  # containerd now holds the image; the packed copies would only double the disk use.
  rm -rf "${archive}" "${rootfs}"
}

fresh_rootfs() {
  local dir="${IMAGES_WORK}/rootfs-$1"
  rm -rf "${dir}"
  mkdir -p "${dir}"
  printf '%s\n' "${dir}"
}

# ---- the images ---------------------------------------------------------------------------------

image_pause() {
  local rootfs
  rootfs=$(fresh_rootfs pause)
  (cd "${REPO}/hack/tools/pause" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "${rootfs}/pause" .)
  image_load "${PAUSE_IMAGE}" "${rootfs}" '{"Entrypoint": ["/pause"]}'
}

image_coredns() {
  [[ -x "${BIN}/coredns" ]] || die "bin/coredns is missing; run: hack/toolchain.sh coredns"
  local rootfs
  rootfs=$(fresh_rootfs coredns)
  cp "${BIN}/coredns" "${rootfs}/coredns"
  image_load "${COREDNS_IMAGE}" "${rootfs}" '{"Entrypoint": ["/coredns"]}'
}

# The Redis image: Debian's redis-server binary with the libraries it links, busybox as the shell,
# laid out like the official image (binaries in /usr/local/bin, /data as working directory, an
# entrypoint that prepends redis-server to bare flags). Unlike the official image it keeps Redis'
# compiled-in protected-mode default (yes): configurations must set 'protected-mode no' or a password.
image_redis() {
  local real
  real=$(readlink -f "$(command -v redis-server)") || die "redis-server is not installed; run: hack/toolchain.sh debian"
  local version
  version=$(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')
  [[ "${version}" == "${REDIS_DEBIAN_VERSION}" ]] || die "redis-server is ${version}, the image must hold ${REDIS_DEBIAN_VERSION}"
  local rootfs
  rootfs=$(fresh_rootfs redis)
  mkdir -p "${rootfs}"/{usr/local/bin,bin,etc,data,tmp}
  chmod 0777 "${rootfs}/data"
  chmod 1777 "${rootfs}/tmp"
  cp "${real}" "${rootfs}/usr/local/bin/redis-server"
  # One binary, three programs: Redis picks its mode from argv[0].
  ln -s redis-server "${rootfs}/usr/local/bin/redis-sentinel"
  ln -s redis-server "${rootfs}/usr/local/bin/redis-check-rdb"
  ln -s redis-server "${rootfs}/usr/local/bin/redis-check-aof"
  cp "$(readlink -f "$(command -v redis-cli)")" "${rootfs}/usr/local/bin/redis-cli"
  local lib
  # ldd's library lines start with a tab: "libx.so => /lib/.../libx.so (0x...)" and the loader's
  # "/lib64/ld-linux-x86-64.so.2 (0x...)"; the "/usr/bin/redis-cli:" headers do not.
  for lib in $(ldd "${real}" "$(command -v redis-cli)" | awk '/^\t/ { for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' | sort -u); do
    mkdir -p "${rootfs}$(dirname "${lib}")"
    cp -L "${lib}" "${rootfs}${lib}"
  done
  cp /bin/busybox "${rootfs}/bin/busybox"
  local applet
  for applet in $(/bin/busybox --list); do
    [[ -e "${rootfs}/bin/${applet}" ]] || ln -s busybox "${rootfs}/bin/${applet}"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nredis:x:999:999:redis:/data:/bin/false\n' >"${rootfs}/etc/passwd"
  printf 'root:x:0:\nredis:x:999:\n' >"${rootfs}/etc/group"
  cat >"${rootfs}/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
# As in the official image: "docker run redis --port 7000" and "... redis /etc/redis.conf" run redis-server.
set -e
case "$1" in
  -*|*.conf) set -- redis-server "$@" ;;
esac
exec "$@"
SH
  chmod 0755 "${rootfs}/usr/local/bin/docker-entrypoint.sh"
  image_load "${REDIS_IMAGE}" "${rootfs}" \
    '{"Entrypoint": ["docker-entrypoint.sh"], "Cmd": ["redis-server"], "WorkingDir": "/data",
      "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
      "ExposedPorts": {"6379/tcp": {}}, "Volumes": {"/data": {}}}'
}

# The project's image: the two static binaries of `make build` on an empty root file system.
image_operator() {
  local b
  for b in redis-failover redis-failover-sentinel; do
    [[ -x "${BIN}/${b}" ]] || die "bin/${b} is missing; run: make build"
  done
  local rootfs
  rootfs=$(fresh_rootfs operator)
  mkdir -p "${rootfs}/usr/local/bin" "${rootfs}/tmp"
  chmod 1777 "${rootfs}/tmp"
  cp "${BIN}/redis-failover" "${BIN}/redis-failover-sentinel" "${rootfs}/usr/local/bin/"
  image_load "${OPERATOR_IMAGE}" "${rootfs}" \
    '{"Entrypoint": ["/usr/local/bin/redis-failover"], "User": "65532:65532",
      "Env": ["PATH=/usr/local/bin"]}'
}

# The e2e tests' webhook receiver (test/e2e/webhookreceiver), a static binary on an empty root.
image_webhook_receiver() {
  local rootfs
  rootfs=$(fresh_rootfs webhook-receiver)
  (cd "${REPO}" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "${rootfs}/webhookreceiver" ./test/e2e/webhookreceiver) ||
    die "building test/e2e/webhookreceiver failed"
  image_load "${WEBHOOK_RECEIVER_IMAGE}" "${rootfs}" '{"Entrypoint": ["/webhookreceiver"], "User": "65532:65532"}'
}

# ensure_image NAME FN: imports an image only when the node does not have it yet.
ensure_image() {
  mkdir -p "${IMAGES_WORK}"
  if image_present "$1"; then
    log "    $1 already on the node"
  else
    "$2"
  fi
}
