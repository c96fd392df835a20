#!/usr/bin/env bash
# Checks the Dockerfile without a Docker engine: lints it, then carries out its instructions
# itself, each stage in its own temporary directory standing in for the image's filesystem
# (WORKDIR /app becomes <stage root>/app), and checks the result:
#   - COPY takes only files the .dockerignore lets into the build context,
#   - the build stage's RUN steps (npm ci, npm run build) succeed,
#   - the runtime stage's RUN steps (npm ci --omit=dev) succeed on the built package + dist,
#   - the final image holds no sources, tests or dev dependencies,
#   - USER is numeric and not root, and that user can run the ENTRYPOINT,
#   - the ENTRYPOINT's --help lists the five commands.
# The instructions are read from the Dockerfile, not repeated here, so the check follows it.
# Needs node, npm and the npm registry (or a warm npm cache: --prefer-offline is set).
#
#   bash scripts/check-dockerfile.sh [--keep-root DIR] [Dockerfile]
#
# --keep-root DIR: when every check passed, moves the final stage's files (what the Dockerfile
# adds to its base image: /app) to DIR instead of deleting them; `npm run image:build` packs them.
set -euo pipefail

KEEP_ROOT=""
if [ "${1:-}" = "--keep-root" ]; then
  KEEP_ROOT="$(realpath -m "${2:?--keep-root needs a directory}")"
  shift 2
fi
cd "$(dirname "$0")/.."
REPO="$PWD"
DOCKERFILE="${1:-Dockerfile}"
EXPECTED_COMMANDS=(webhook scheduler review plan certs)

say() { printf '[check-dockerfile] %s\n' "$*"; }
fail() { printf '[check-dockerfile] FAIL: %s\n' "$*" >&2; exit 1; }
ok() { printf '[check-dockerfile] ok: %s\n' "$*"; }

WORK="$(mktemp -d)"
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
# mktemp -d is 0700; the image's user (checked below) must be able to reach the stage roots.
chmod 755 "$WORK"

# --- 1. lint --------------------------------------------------------------------------------
say "lint: npx dockerfilelint $DOCKERFILE"
npx --no-install dockerfilelint "$DOCKERFILE" 2>/dev/null || fail "dockerfilelint reports issues in $DOCKERFILE"
ok "dockerfilelint found no issues"

# --- 2. the build context, as .dockerignore shapes it -----------------------------------------
# Supported form (the one this repository uses): `*` first, then `!path` lines re-including what
# the build needs. Anything else is refused rather than guessed at.
[ -f .dockerignore ] || fail ".dockerignore is missing: the whole repository (node_modules, .git, certs) would be sent as build context"
mapfile -t ignore_lines < <(grep -v '^\s*#' .dockerignore | sed 's/[[:space:]]*$//' | grep -v '^$')
[ "${ignore_lines[0]:-}" = "*" ] || fail ".dockerignore must start with '*' (deny everything, then re-include)"
included=()
for line in "${ignore_lines[@]:1}"; do
  case "$line" in
    '!'*) included+=("${line#!}") ;;
    *) fail ".dockerignore line not understood by this check: $line" ;;
  esac
done
in_context() { # path → 0 when a `!` line re-includes it (exactly, as a directory `x/`, or `x/**`)
  local p="${1%/}" inc
  for inc in "${included[@]}"; do
    inc="${inc%/**}"; inc="${inc%/}"
    [ "$p" = "$inc" ] && return 0
    case "$p" in "$inc"/*) return 0 ;; esac
  done
  return 1
}
say "build context: ${included[*]}"

# The steps get their own npm cache (a hard-linked copy of this machine's, so a warm cache still
# spares the network): the Dockerfile's `npm cache clean --force` must not empty the real one.
NPM_CACHE="$WORK/npm-cache"
user_cache="$(npm config get cache 2>/dev/null || true)"
if [ -d "$user_cache/_cacache" ]; then
  mkdir -p "$NPM_CACHE"
  cp -al "$user_cache/_cacache" "$NPM_CACHE/_cacache" 2>/dev/null \
    || { rm -rf "$NPM_CACHE/_cacache"; cp -a "$user_cache/_cacache" "$NPM_CACHE/_cacache"; }
fi

# --- 3. carry out the Dockerfile ------------------------------------------------------------------
# Joins continuation lines, drops comments and blank lines.
mapfile -t instructions < <(sed -e 's/\r$//' "$DOCKERFILE" | awk '
  /^[[:space:]]*#/ { next }
  { line = line $0 }
  /\\$/ { sub(/\\$/, "", line); next }
  { if (line ~ /[^[:space:]]/) print line; line = "" }')

declare -A stage_root=()   # stage name or index → its root directory
stage=-1; root=""; workdir="/"; user=""; entrypoint=""; base_images=()
stage_env=()

resolve() { # image path → path inside the current stage root
  case "$1" in
    /*) printf '%s%s' "$root" "$1" ;;
    *) printf '%s%s/%s' "$root" "$workdir" "$1" ;;
  esac
}

for instr in "${instructions[@]}"; do
  keyword="${instr%%[[:space:]]*}"; args="${instr#"$keyword"}"; args="${args#"${args%%[![:space:]]*}"}"
  case "${keyword^^}" in
    FROM)
      read -r image as name _ <<<"$args"
      stage=$((stage + 1)); root="$WORK/stage-$stage"; workdir="/"; user=""; stage_env=()
      mkdir -p "$root"; chmod 755 "$root"
      stage_root[$stage]="$root"
      if [ "${as^^}" = "AS" ] && [ -n "$name" ]; then stage_root[$name]="$root"; fi
      base_images+=("$image")
      say "stage $stage${name:+ ($name)}: FROM $image"
      [[ "$image" == *:* ]] || fail "base image $image has no tag"
      [[ "$image" != *:latest ]] || fail "base image $image uses the latest tag"
      ;;
    WORKDIR)
      workdir="$args"; mkdir -p "$root$workdir"
      say "  WORKDIR $workdir"
      ;;
    ENV)
      # KEY=VALUE pairs (no quoting needed in this Dockerfile)
      for pair in $args; do stage_env+=("$pair"); done
      say "  ENV $args"
      ;;
    COPY)
      read -r -a parts <<<"$args"
      from=""
      if [[ "${parts[0]}" == --from=* ]]; then from="${parts[0]#--from=}"; parts=("${parts[@]:1}"); fi
      [[ "${parts[0]}" != --* ]] || fail "COPY option not understood by this check: ${parts[0]}"
      dest="${parts[-1]}"; unset 'parts[-1]'
      target="$(resolve "$dest")"
      if [[ "$dest" == */ ]] || [ "${#parts[@]}" -gt 1 ]; then mkdir -p "$target"; fi
      for src in "${parts[@]}"; do
        if [ -n "$from" ]; then
          source_root="${stage_root[$from]:-}"
          [ -n "$source_root" ] || fail "COPY --from=$from: no such stage"
          [ -e "$source_root$src" ] || fail "COPY --from=$from $src: not found in that stage"
          cp -a "$source_root$src" "$target"
        else
          in_context "$src" || fail "COPY $src: excluded by .dockerignore, the build would not see it"
          [ -e "$REPO/$src" ] || fail "COPY $src: no such file in the repository"
          cp -a "$REPO/$src" "$target"
        fi
      done
      say "  COPY $args"
      ;;
    RUN)
      # Commands run inside the stage root; an absolute path would reach this machine's own
      # filesystem instead of the image's, so such a step is refused.
      if grep -Eq '(^|[[:space:]=])/' <<<"$args"; then fail "RUN with an absolute path cannot be checked safely: $args"; fi
      say "  RUN $args"
      ( cd "$root$workdir" && env "${stage_env[@]}" npm_config_cache="$NPM_CACHE" npm_config_prefer_offline=true npm_config_update_notifier=false \
          bash -euo pipefail -c "$args" ) 2>&1 | sed 's/^/    | /' || fail "RUN step failed: $args"
      ;;
    USER) user="$args"; say "  USER $user" ;;
    EXPOSE) say "  EXPOSE $args" ;;
    ENTRYPOINT) entrypoint="$args"; say "  ENTRYPOINT $args" ;;
    LABEL|CMD) say "  $keyword (not checked)" ;;
    *) fail "instruction not understood by this check: $keyword" ;;
  esac
done

[ "$stage" -ge 1 ] || fail "expected a multi-stage build (build stage + runtime stage), found $((stage + 1)) stage(s)"
ok "multi-stage build: $((stage + 1)) stages, all RUN steps succeeded"

# --- 4. the final image -------------------------------------------------------------------------
final="$root"
app="$final$workdir"
say "final image: WORKDIR $workdir, $(du -sh "$app" | cut -f1) in $workdir ($(du -sh "$app/node_modules" | cut -f1) node_modules, $(du -sh "$app/dist" | cut -f1) dist)"

for unwanted in src test bench scripts tsconfig.json .git certs coverage; do
  [ ! -e "$app/$unwanted" ] || fail "the final image contains $workdir/$unwanted"
done
[ -z "$(find "$app/dist" -name '*.ts' -not -name '*.d.ts' -print -quit)" ] || fail "TypeScript sources in dist/"
# The test-cluster tooling lives in tools/ and builds into build/, never into dist/.
[ ! -e "$app/dist/testing" ] && [ ! -e "$app/tools" ] && [ ! -e "$app/build" ] || fail "the final image contains the test-cluster tooling"
ok "no sources, tests or tooling in the final image"

# Dev-only packages are the lockfile entries marked "dev": true (a devDependency that a
# production dependency also needs, such as @types/node, is not one of them).
mapfile -t dev_deps < <(node -e '
  const lock = require(process.argv[1]);
  for (const [path, entry] of Object.entries(lock.packages ?? {})) if (path && entry.dev) console.log(path);' "$app/package-lock.json")
for dep in "${dev_deps[@]}"; do
  [ ! -e "$app/$dep" ] || fail "dev-only package $dep is installed in the final image"
done
mapfile -t prod_deps < <(node -e 'for (const d of Object.keys(require(process.argv[1]).dependencies ?? {})) console.log(d)' "$app/package.json")
for dep in "${prod_deps[@]}"; do
  [ -e "$app/node_modules/$dep" ] || fail "dependency $dep is missing from the final image"
done
ok "node_modules: all ${#prod_deps[@]} dependencies, none of the ${#dev_deps[@]} dev-only packages of the lockfile"

[[ "$user" =~ ^[0-9]+(:[0-9]+)?$ ]] || fail "USER must be numeric (uid[:gid]) so runAsNonRoot can be verified, got '${user:-<none>}'"
uid="${user%%:*}"; gid="${user#*:}"
[ "$uid" != "0" ] || fail "USER is root"
ok "USER $user (numeric, not root)"

final_base="${base_images[-1]}"
base_major="$(sed -nE 's/^node:([0-9]+).*/\1/p' <<<"$final_base")"
local_major="$(node -p 'process.versions.node.split(".")[0]')"
[ -n "$base_major" ] || fail "final base image $final_base is not an official node image with a major version tag"
[ "$base_major" -ge 24 ] || fail "final base image $final_base: Node $base_major, the package needs Node >= 24 (package.json engines)"
[ "$local_major" = "$base_major" ] || say "note: the local Node is $local_major, the image's $base_major (eval \"\$(bash scripts/node24.sh)\" gives Node 24)"
say "base image Node $base_major; this check runs the steps with the local Node $(node --version) (same npm ci/tsc steps, not the image's binary)"

# ENTRYPOINT: exec form, paths inside the image mapped to the final stage root.
mapfile -t entry < <(node -e 'const a = JSON.parse(process.argv[1]); if (!Array.isArray(a)) process.exit(1); for (const x of a) console.log(x)' "$entrypoint") \
  || fail "ENTRYPOINT must be in exec (JSON array) form, got: $entrypoint"
[ "${entry[0]:-}" = "node" ] || fail "ENTRYPOINT must start with node, got: ${entry[0]:-}"
cmd=(node)
for a in "${entry[@]:1}"; do
  case "$a" in /*) cmd+=("$final$a") ;; *) cmd+=("$a") ;; esac
done
say "run: ${entry[*]} --help   (as uid $uid, cwd = image root)"
run_as=()
if [ "$(id -u)" = "0" ] && command -v setpriv >/dev/null; then
  run_as=(setpriv --reuid="$uid" --regid="$gid" --clear-groups)
else
  say "  (not root here: running as $(id -un) instead of uid $uid)"
fi
help_out="$(cd "$final" && "${run_as[@]}" "${cmd[@]}" --help 2>&1)" || { printf '%s\n' "$help_out" >&2; fail "the entrypoint's --help failed"; }
printf '%s\n' "$help_out" | sed 's/^/    | /'
for c in "${EXPECTED_COMMANDS[@]}"; do
  grep -Eq "^[[:space:]]+$c( |$)" <<<"$help_out" || fail "the entrypoint's --help does not list the '$c' command"
done
ok "the entrypoint lists the commands: ${EXPECTED_COMMANDS[*]}"
say "all checks passed"

if [ -n "$KEEP_ROOT" ]; then
  rm -rf "$KEEP_ROOT"
  mkdir -p "$(dirname "$KEEP_ROOT")"
  mv "$final" "$KEEP_ROOT"
  say "final stage's files kept in $KEEP_ROOT"
fi
