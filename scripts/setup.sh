#!/usr/bin/env bash
# Idempotent set-up shared by `npm test` and `npm run demo` (`--demo`: only what the demo needs): Node dependencies and the
# Debian packages the suites use (chromium for the browser test, promtool from
# prometheus (its service never started), lua5.1 for the Argo CD health check, scikit-learn as the accuracy reference, openssl for the local cluster's
# certificates, buildah and mmdebstrap for `npm run images`), the local cluster's real node
# (containerd, runc, the CNI plugins, nft and ip, a static C toolchain for the pause image;
# LOCALCLUSTER_KWOK_ONLY=1 skips the node's), and kube-score for the manifest suite (built with
# `go install` into the binary cache; see scripts/lib/kube-score.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund
fi

need=()
if [ "${1:-}" != "--demo" ]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  command -v promtool >/dev/null 2>&1 || need+=(prometheus)
  # Argo CD's health check (config/argocd/riskmodel-health.lua) runs under Lua 5.1, as Argo CD's gopher-lua.
  command -v lua5.1 >/dev/null 2>&1 || need+=(lua5.1)
  /usr/bin/python3 -c 'import sklearn' >/dev/null 2>&1 || need+=(python3-sklearn)
  # The data-plane tests' small image (test/support/busybox-image.ts).
  [ -x /bin/busybox ] || need+=(busybox-static)
fi
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# The container images (`npm run images`, built FROM a Debian root made by mmdebstrap) serve both
# the test suites and the demo's real node. Root needs neither uidmap nor fuse-overlayfs.
command -v buildah >/dev/null 2>&1 || need+=(buildah)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
if [[ ! "${LOCALCLUSTER_KWOK_ONLY:-}" =~ ^(1|true|yes)$ ]]; then
  command -v containerd >/dev/null 2>&1 || need+=(containerd)
  command -v runc >/dev/null 2>&1 || need+=(runc)
  [ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] || need+=(containernetworking-plugins)
  command -v nft >/dev/null 2>&1 || need+=(nftables)
  command -v ip >/dev/null 2>&1 || need+=(iproute2)
  command -v gcc >/dev/null 2>&1 || need+=(gcc)
  dpkg-query -W -f='${Status}' libc6-dev 2>/dev/null | grep -q 'install ok installed' || need+=(libc6-dev)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${need[*]}; install them (apt-get install ${need[*]}) and re-run." >&2
    exit 1
  fi
  echo "==> apt-get install ${need[*]}"
  apt-get update -qq
  # Packages such as prometheus (wanted for promtool only; the local cluster runs its own Prometheus)
  # would start a system service on install. A policy-rc.d answering 101 makes invoke-rc.d and
  # deb-systemd-invoke start nothing; one the machine already has is left as it is.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\n# scripts/setup.sh: start no service while it installs packages\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  # Nor at the next boot.
  if [[ " ${need[*]} " == *" prometheus "* ]]; then
    if [ -d /run/systemd/system ]; then systemctl disable --quiet prometheus || true; else update-rc.d prometheus disable >/dev/null 2>&1 || true; fi
  fi
fi

if [ "${1:-}" != "--demo" ]; then
  echo "==> kube-score"
  npx --no-install tsx scripts/install-kube-score.ts
fi
