# Sourced by the other scripts: exports JAVA_HOME pointing at a JDK 21 or newer.
# Order: an existing JAVA_HOME that is new enough, then `java` on PATH, then JDKs installed
# under /usr/lib/jvm (newest first). Fails with a clear message instead of building with an old JDK.

clearance_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    awk -F'= ' '/java.specification.version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit}'
}

clearance_find_jdk() {
  local candidate major
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  if command -v javac >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")")
  fi
  for candidate in $(ls -d /usr/lib/jvm/* /opt/java/* /opt/jdk* 2>/dev/null | sort -rV); do
    candidates+=("$candidate")
  done
  for candidate in "${candidates[@]}"; do
    [ -x "$candidate/bin/javac" ] || continue
    major=$(clearance_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "error: Clearance needs a JDK 21 or newer (javac). Install one (e.g. a Temurin or OpenJDK 21+ package) or set JAVA_HOME." >&2
  return 1
}

clearance_find_jdk
