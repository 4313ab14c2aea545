# Sourced by scripts/install/*.sh: `apt_install WHO PACKAGE...` installs the
# Debian packages not installed yet (none: does nothing). The package lists
# are refreshed first when the install fails on stale or missing lists, as
# on a fresh machine. Root, or sudo.

apt_install() {
  local who="$1" package
  shift
  local missing=()
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed'; then
      missing+=("$package")
    fi
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "$who: apt-get install ${missing[*]}" >&2
  local as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo env DEBIAN_FRONTEND=noninteractive)
  local install=(apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends)
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" "${install[@]}" "${missing[@]}" || {
    "${as_root[@]}" apt-get -o DPkg::Lock::Timeout=600 update -q &&
      "${as_root[@]}" "${install[@]}" "${missing[@]}"
  }
}
