#!/usr/bin/env python3
"""Checks the rendered Kubernetes manifests of deploy/k8s (scripts/k8s-validate.sh runs it).

    k8s-check.py --kubernetes-version 1.32 --repo . RENDERED.yaml...

Each file is the output of `kubectl kustomize` for one kustomization. Two kinds of checks:

1. Schema: every resource against the Kubernetes JSON schemas of the package kubernetes-validate,
   strict (unknown fields are errors), for the given Kubernetes version. A kind or apiVersion with
   no schema for that version is an error too (the package's own CLI only warns).
2. Structure, what the schemas cannot say: probes on the service's health endpoints, resources and
   a locked-down security context on every container, references that resolve, environment
   variables the service really reads, Secrets that hold placeholders only, an autoscaler metric
   that the code really exports, job commands that exist.

Prints every problem, then `k8s manifests: N passed, M failed`; exits 1 when anything failed.
"""

import argparse
import base64
import pathlib
import re
import sys

import yaml
import kubernetes_validate
from kubernetes_validate.utils import SchemaNotFoundError, ValidationError, VersionNotSupportedError
from kubernetes_validate.version import __version__ as KV_VERSION

PLACEHOLDER = "REPLACE-ME"
READINESS = "/health/readiness"
LIVENESS = "/health/liveness"
POD_KINDS = ("Deployment", "Job", "CronJob")
# Variables of the JVM itself, not of the service.
JVM_VARIABLES = {"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS"}


class Checks:
    def __init__(self):
        self.passed = 0
        self.failures = []

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failures.append(what)
        return ok


def kn(resource):
    return "%s/%s" % (resource.get("kind", "?"), resource.get("metadata", {}).get("name", "?"))


def load(files):
    """(source, resource) pairs, in file order. A file given as LABEL=PATH is named LABEL."""
    out = []
    for f in files:
        label, _, path = f.rpartition("=") if "=" in f else (f, "", f)
        with open(path, encoding="utf-8") as stream:
            for doc in yaml.safe_load_all(stream):
                if doc:
                    out.append((label, doc))
    return out


# ------------------------------------------------------------------ what the service reads


def known_variables(repo):
    """Environment variables the service or its jobs read, from the code, its config and README."""
    names = set(JVM_VARIABLES)
    yml = (repo / "src/main/resources/application.yml").read_text(encoding="utf-8")
    names.update(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", yml))
    readme = (repo / "README.md").read_text(encoding="utf-8")
    names.update(re.findall(r"`([A-Z][A-Z0-9_]{2,})`", readme))

    def env_of(prop):
        return prop.upper().replace(".", "_").replace("-", "_")

    for source in (repo / "src/main/java").rglob("*.java"):
        text = source.read_text(encoding="utf-8")
        # @ConfigurationProperties("prefix") record R(... Type name, ...): PREFIX_NAME
        for m in re.finditer(r'@ConfigurationProperties\("([^"]+)"\)', text):
            header = re.search(r"record\s+\w+\s*\((.*?)\)\s*(?:implements[^{]*)?\{", text[m.end():], re.S)
            if not header:
                continue
            params = re.sub(r"@\w+(\((?:[^()]|\([^()]*\))*\))?", "", header.group(1))
            for name in re.findall(r"(\w+)\s*(?:,|$)", params.strip()):
                kebab = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name).lower()
                names.add(env_of(m.group(1) + "." + kebab))
        # @Value("${some.property:default}") and other placeholders in annotations
        for prop in re.findall(r'"\$\{([a-z0-9.\-]+)[:}]', text):
            names.add(env_of(prop))
        # env.get("NAME") / System.getenv("NAME") (the ingest job)
        names.update(re.findall(r'(?:env\.get|getenv)\("([A-Z][A-Z0-9_]*)"\)', text))
    return names


def exported_gauges(repo):
    """Prometheus names of the Micrometer gauges in the code ("a.b.c" becomes "a_b_c")."""
    names = set()
    for source in (repo / "src/main/java").rglob("*.java"):
        text = source.read_text(encoding="utf-8")
        for name in re.findall(r'Gauge\.builder\(\s*"([^"]+)"', text):
            names.add(name.replace(".", "_").replace("-", "_"))
    return names


def java_main_class_exists(repo, cls):
    return (repo / "src/main/java" / (cls.replace(".", "/") + ".java")).is_file()


def application_commands(repo):
    """The first arguments Application.main treats as maintenance commands (compared with equals,
    in a switch, or named as picocli subcommands)."""
    app = (repo / "src/main/java/dev/clearance/Application.java").read_text(encoding="utf-8")
    commands = set(re.findall(r'(?:\.equals\(|\bcase\s+)"([a-z][a-z-]*)"', app))
    commands.update(re.findall(r'@Command\([^)]*?\bname\s*=\s*"([a-z][a-z-]*)"', app))
    return commands


# ------------------------------------------------------------------ reading pod specs


def pod_template(resource):
    spec = resource.get("spec", {})
    if resource["kind"] == "CronJob":
        return spec["jobTemplate"]["spec"]["template"]
    return spec["template"]


def all_containers(pod_spec):
    for kind in ("initContainers", "containers"):
        for c in pod_spec.get(kind, []) or []:
            yield kind, c


def labels_match(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def quantity(value):
    """CPU or memory quantity as a number (cores or bytes), for comparing requests with limits."""
    s = str(value)
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "k": 1e3, "M": 1e6, "G": 1e9}
    for unit, factor in units.items():
        if s.endswith(unit) and s[: -len(unit)].replace(".", "", 1).isdigit():
            return float(s[: -len(unit)]) * factor
    return float(s)


# ------------------------------------------------------------------ the checks


def check_schemas(c, resources, version):
    for f, r in resources:
        try:
            kubernetes_validate.validate(r, version, strict=True)
            c.check(True, "")
        except ValidationError as e:
            path = ".".join(str(p) for p in e.path)
            c.check(False, "%s: %s does not match the Kubernetes %s schema at %s: %s"
                    % (f, kn(r), version, path or "(top)", e.message))
        except SchemaNotFoundError as e:
            c.check(False, "%s: %s: %s" % (f, kn(r), e.message))
        except VersionNotSupportedError as e:
            sys.exit("k8s-check: %s" % e.message)


def check_namespaces(c, resources):
    namespaces = {r["metadata"]["name"] for _, r in resources if r["kind"] == "Namespace"}
    c.check(len(namespaces) == 1, "exactly one Namespace is rendered, found %s" % sorted(namespaces))
    for f, r in resources:
        if r["kind"] == "Namespace":
            continue
        ns = r["metadata"].get("namespace")
        c.check(ns in namespaces, "%s: %s is in namespace %r, not in the rendered Namespace %s"
                % (f, kn(r), ns, sorted(namespaces)))
    for f, r in resources:
        if r["kind"] == "Namespace":
            labels = r["metadata"].get("labels", {})
            c.check(labels.get("pod-security.kubernetes.io/enforce") == "restricted",
                    "%s: %s does not enforce the restricted Pod Security Standard" % (f, kn(r)))


def check_pods(c, resources, known, commands, repo):
    names = {(r["kind"], r["metadata"]["name"]) for _, r in resources}
    for f, r in resources:
        if r["kind"] not in POD_KINDS:
            continue
        where = "%s: %s" % (f, kn(r))
        template = pod_template(r)
        pod = template["spec"]
        psc = pod.get("securityContext", {})
        c.check(psc.get("runAsNonRoot") is True, where + ": pod securityContext.runAsNonRoot is not true")
        c.check(isinstance(psc.get("runAsUser"), int) and psc.get("runAsUser") > 0,
                where + ": pod securityContext.runAsUser is not a non-root uid")
        c.check(psc.get("seccompProfile", {}).get("type") == "RuntimeDefault",
                where + ": pod seccompProfile is not RuntimeDefault")
        c.check(pod.get("automountServiceAccountToken") is False,
                where + ": the pod mounts a service account token it does not need")
        # A Service named "clearance" would inject CLEARANCE_SERVICE_HOST, CLEARANCE_PORT_... into
        # the environment, where the service reads CLEARANCE_* as its settings.
        c.check(pod.get("enableServiceLinks") is False, where + ": enableServiceLinks is not false")
        if r["kind"] in ("Job", "CronJob"):
            c.check(pod.get("restartPolicy") in ("Never", "OnFailure"),
                    where + ": a job pod needs restartPolicy Never or OnFailure")
        if r["kind"] == "CronJob":
            c.check(r["spec"].get("concurrencyPolicy") == "Forbid",
                    where + ": runs of the ingest job must not overlap (concurrencyPolicy: Forbid)")

        volumes = {v["name"]: v for v in pod.get("volumes", []) or []}
        for v in volumes.values():
            if "configMap" in v:
                c.check(("ConfigMap", v["configMap"]["name"]) in names or v["configMap"].get("optional"),
                        where + ": volume %s: no ConfigMap %s" % (v["name"], v["configMap"]["name"]))
            if "secret" in v:
                c.check(("Secret", v["secret"]["secretName"]) in names or v["secret"].get("optional"),
                        where + ": volume %s: no Secret %s" % (v["name"], v["secret"]["secretName"]))
            if "persistentVolumeClaim" in v:
                claim = v["persistentVolumeClaim"]["claimName"]
                c.check(("PersistentVolumeClaim", claim) in names,
                        where + ": volume %s: no PersistentVolumeClaim %s" % (v["name"], claim))

        for kind, ctr in all_containers(pod):
            cw = "%s: %s %s" % (where, kind[:-1], ctr["name"])
            image = str(ctr.get("image", ""))
            c.check("@" in image or ":" in image.rsplit("/", 1)[-1], cw + ": image %r has no tag or digest" % image)
            c.check(not image.endswith(":latest"), cw + ": image %r uses the moving tag latest" % image)
            res = ctr.get("resources", {})
            for kind_of in ("requests", "limits"):
                for what in ("cpu", "memory"):
                    c.check(what in res.get(kind_of, {}), cw + ": no %s.%s" % (kind_of, what))
            for what in ("cpu", "memory"):
                req, lim = res.get("requests", {}).get(what), res.get("limits", {}).get(what)
                if req is not None and lim is not None:
                    c.check(quantity(req) <= quantity(lim), cw + ": %s request %s above its limit %s"
                            % (what, req, lim))
            sc = ctr.get("securityContext", {})
            c.check(sc.get("allowPrivilegeEscalation") is False, cw + ": allowPrivilegeEscalation is not false")
            c.check(sc.get("readOnlyRootFilesystem") is True, cw + ": root filesystem is not read-only")
            c.check("ALL" in (sc.get("capabilities", {}).get("drop") or []), cw + ": capabilities ALL not dropped")
            c.check(sc.get("privileged") is not True, cw + ": privileged")

            mounts = {m["mountPath"]: m for m in ctr.get("volumeMounts", []) or []}
            for m in mounts.values():
                c.check(m["name"] in volumes, cw + ": mounts unknown volume %s" % m["name"])
            argv = list(ctr.get("command", []) or []) + list(ctr.get("args", []) or [])
            runs_java = (not argv) or (argv[0] == "java")
            if runs_java:
                # The JVM (performance data) and ONNX Runtime (its native library) write to /tmp.
                tmp = mounts.get("/tmp")
                c.check(tmp is not None and "emptyDir" in volumes.get(tmp["name"], {}),
                        cw + ": a JVM on a read-only root filesystem needs an emptyDir at /tmp")
            if argv and argv[0] == "java":
                c.check("-XX:+ExitOnOutOfMemoryError" in argv, cw + ": java without -XX:+ExitOnOutOfMemoryError")
                if "-jar" in argv:
                    rest = argv[argv.index("-jar") + 2:]
                    c.check(len(rest) == 1 and rest[0] in commands,
                            cw + ": %s is not a command of the service's jar (Application.main knows %s)"
                            % (rest, sorted(commands)))
                if "-cp" in argv:
                    cls = argv[argv.index("-cp") + 2]
                    c.check(java_main_class_exists(repo, cls), cw + ": no main class %s in src/main/java" % cls)

            # Every variable the container gets must be one the service or its jobs read.
            for env in ctr.get("env", []) or []:
                c.check(env["name"] in known, cw + ": env %s is not a setting the service reads" % env["name"])
                ref = env.get("valueFrom", {})
                for key, kind_name in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                    if key in ref and not ref[key].get("optional"):
                        c.check((kind_name, ref[key]["name"]) in names,
                                cw + ": env %s: no %s %s" % (env["name"], kind_name, ref[key]["name"]))
            for src in ctr.get("envFrom", []) or []:
                for key, kind_name in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                    if key not in src:
                        continue
                    target = src[key]["name"]
                    found = (kind_name, target) in names
                    c.check(found or src[key].get("optional"),
                            cw + ": envFrom: no %s %s" % (kind_name, target))
                    for _, other in resources:
                        if other["kind"] == kind_name and other["metadata"]["name"] == target:
                            keys = set(other.get("data", {}) or {}) | set(other.get("stringData", {}) or {})
                            for k in sorted(keys):
                                c.check(k in known, cw + ": %s %s: %s is not a setting the service reads"
                                        % (kind_name, target, k))


def check_service_deployment(c, resources, gauges):
    deployments = [(f, r) for f, r in resources if r["kind"] == "Deployment"]
    c.check(len(deployments) >= 1, "no Deployment rendered")
    settings = {}
    for _, r in resources:
        if r["kind"] == "ConfigMap":
            settings.update(r.get("data", {}) or {})
    for f, d in deployments:
        where = "%s: %s" % (f, kn(d))
        c.check(d["spec"].get("replicas", 1) >= 2, where + ": fewer than 2 replicas by default")
        pod = d["spec"]["template"]["spec"]
        labels = d["spec"]["template"]["metadata"].get("labels", {})
        c.check(labels_match(d["spec"]["selector"].get("matchLabels", {}), labels),
                where + ": selector does not match the pod labels")
        for ctr in pod["containers"]:
            cw = "%s container %s" % (where, ctr["name"])
            ports = {p.get("name"): p["containerPort"] for p in ctr.get("ports", [])}
            for probe, path in (("readinessProbe", READINESS), ("livenessProbe", LIVENESS)):
                get = ctr.get(probe, {}).get("httpGet", {})
                c.check(get.get("path") == path, cw + ": %s is not an HTTP GET of %s" % (probe, path))
                c.check(get.get("port") in ports or get.get("port") in ports.values(),
                        cw + ": %s port %r is not a container port" % (probe, get.get("port")))
            if "MICRONAUT_SERVER_PORT" in settings:
                c.check(int(settings["MICRONAUT_SERVER_PORT"]) in ports.values(),
                        cw + ": MICRONAUT_SERVER_PORT %s is not a container port %s"
                        % (settings["MICRONAUT_SERVER_PORT"], sorted(ports.values())))

        services = [r for _, r in resources if r["kind"] == "Service"]
        c.check(any(labels_match(s["spec"].get("selector", {}), labels) for s in services),
                where + ": no Service selects its pods")
        for s in services:
            if labels_match(s["spec"].get("selector", {}), labels):
                port_names = {p.get("name") for ctr in pod["containers"] for p in ctr.get("ports", [])}
                port_numbers = {p["containerPort"] for ctr in pod["containers"] for p in ctr.get("ports", [])}
                for p in s["spec"]["ports"]:
                    target = p.get("targetPort", p["port"])
                    c.check(target in port_names or target in port_numbers,
                            "%s: targetPort %r is not a port of %s" % (kn(s), target, kn(d)))
        pdbs = [r for _, r in resources if r["kind"] == "PodDisruptionBudget"]
        c.check(any(labels_match(p["spec"]["selector"].get("matchLabels", {}), labels) for p in pdbs),
                where + ": no PodDisruptionBudget covers its pods")

        hpas = [(hf, r) for hf, r in resources if r["kind"] == "HorizontalPodAutoscaler"
                and r["spec"]["scaleTargetRef"].get("kind") == "Deployment"
                and r["spec"]["scaleTargetRef"].get("name") == d["metadata"]["name"]]
        c.check(len(hpas) == 1, where + ": no HorizontalPodAutoscaler scales it")
        for hf, h in hpas:
            hw = "%s: %s" % (hf, kn(h))
            metrics = h["spec"].get("metrics", [])
            pods = [m["pods"]["metric"]["name"] for m in metrics if m["type"] == "Pods"]
            c.check(len(pods) >= 1, hw + ": no Pods metric")
            for name in pods:
                c.check(name in gauges, hw + ": Pods metric %s is not a gauge the service exports (%s)"
                        % (name, ", ".join(sorted(gauges))))
            c.check(any(m["type"] == "Resource" and m["resource"]["name"] == "cpu" for m in metrics),
                    hw + ": no CPU fallback metric")
            c.check(h["spec"].get("minReplicas", 1) >= 2, hw + ": minReplicas below 2")
            c.check(h["spec"]["maxReplicas"] >= h["spec"].get("minReplicas", 1), hw + ": maxReplicas below minReplicas")


def check_secrets_and_settings(c, resources):
    for f, r in resources:
        if r["kind"] == "Secret":
            values = dict(r.get("stringData", {}) or {})
            for k, v in (r.get("data", {}) or {}).items():
                try:
                    values[k] = base64.b64decode(v).decode("utf-8")
                except Exception:
                    values[k] = "<undecodable>"
            for k, v in values.items():
                c.check(str(v).startswith(PLACEHOLDER),
                        "%s: %s: %s holds a value that is not a %s placeholder" % (f, kn(r), k, PLACEHOLDER))
        if r["kind"] == "ConfigMap":
            demo = str((r.get("data", {}) or {}).get("CLEARANCE_DEMO_ENABLED", "false")).lower()
            c.check(demo != "true", "%s: %s turns demo mode on" % (f, kn(r)))
        if r["kind"] in POD_KINDS:
            for _, ctr in all_containers(pod_template(r)["spec"]):
                for env in ctr.get("env", []) or []:
                    if env["name"] == "CLEARANCE_DEMO_ENABLED":
                        c.check(str(env.get("value", "")).lower() != "true", "%s: %s turns demo mode on" % (f, kn(r)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubernetes-version", required=True)
    parser.add_argument("--repo", default=".")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    repo = pathlib.Path(args.repo)

    resources = load(args.files)
    schema = Checks()
    check_schemas(schema, resources, args.kubernetes_version)
    structure = Checks()
    structure.check(len(resources) > 0, "nothing was rendered")
    steps = (
        ("namespaces", lambda: check_namespaces(structure, resources)),
        ("pods", lambda: check_pods(structure, resources, known_variables(repo), application_commands(repo), repo)),
        ("service", lambda: check_service_deployment(structure, resources, exported_gauges(repo))),
        ("secrets and settings", lambda: check_secrets_and_settings(structure, resources)),
    )
    for name, step in steps:
        try:
            step()
        except Exception as e:  # a resource too malformed to inspect (the schema check says why)
            structure.check(False, "structural checks of %s stopped: %s: %s" % (name, type(e).__name__, e))

    for failure in schema.failures + structure.failures:
        print("FAIL " + failure)
    print("k8s-check: schema: %d of %d resources (from %d kustomizations) valid for Kubernetes %s "
          "(kubernetes-validate %s, strict)"
          % (schema.passed, len(resources), len(args.files), args.kubernetes_version, KV_VERSION))
    print("k8s-check: structure: %d of %d checks passed"
          % (structure.passed, structure.passed + len(structure.failures)))
    c = Checks()
    c.passed = schema.passed + structure.passed
    c.failures = schema.failures + structure.failures
    print("k8s manifests: %d passed, %d failed" % (c.passed, len(c.failures)))
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
