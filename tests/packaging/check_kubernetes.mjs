#!/usr/bin/env node
// Checks packaging/kubernetes/ offline: usage `node check_kubernetes.mjs SOURCE_DIR`.
//
// Every kustomization there is expanded here (resources, secretGenerator, configMapGenerator,
// namespace, images, labels: the fields these manifests use; any other field is reported, not
// ignored), every file they name must exist and every manifest file must be named by one. Each
// object is validated against the Kubernetes API schemas with the npm package kubernetes-models
// (the class of its kind and that class's validate()), the KEDA ScaledObject with
// @kubernetes-models/keda. Fields the schema does not know are reported too, as the API server's
// strict field validation would. Then what the schemas cannot see: what the API server demands
// beyond them (a container's image, references between objects) and what vtfarm needs (the
// coordinator, the nodes, Redis and KEDA agreeing on names, ports, the token and the grace).
//
// YAML is read as Kubernetes reads it, YAML 1.1: an unquoted yes is a boolean, 0440 octal.
// The packages come from tests/packaging/package.json (scripts/deps.sh: install_node_packages).
// Prints what is wrong and exits 1; prints a summary and exits 0 when everything holds.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const problems = [];
const problem = (text) => {
    if (!problems.includes(text)) problems.push(text);
};
function fatal(text) {
    console.log(`FAIL: ${text}`);
    process.exit(1);
}

if (process.argv.length < 3) fatal("usage: node check_kubernetes.mjs SOURCE_DIR");
const source = path.resolve(process.argv[2]);
const root = path.join(source, "packaging", "kubernetes");
if (!fs.existsSync(path.join(root, "kustomization.yaml"))) fatal(`no ${root}/kustomization.yaml`);

// --- The validators: installed, and the versions package.json pins ---------------------------
const manifest = JSON.parse(fs.readFileSync(path.join(here, "package.json"), "utf8"));
const pinned = manifest.dependencies;
for (const [name, version] of Object.entries(pinned)) {
    const installed = path.join(here, "node_modules", ...name.split("/"), "package.json");
    if (!fs.existsSync(installed))
        fatal(`${name} is not installed in ${path.join(here, "node_modules")}: run scripts/deps.sh's ` +
            `install_node_packages (npm ci in tests/packaging), as scripts/test.sh does`);
    const got = JSON.parse(fs.readFileSync(installed, "utf8")).version;
    if (got !== version)
        fatal(`${name} ${got} is installed, package.json pins ${version}: run npm ci in tests/packaging`);
}
const YAML = await import("yaml");

// apiVersion -> the module with its kinds' classes.
function modelModule(apiVersion) {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    if (group === "keda.sh") return `@kubernetes-models/keda/${apiVersion}`;
    if (!/^[a-z0-9.-]*$/.test(group) || !/^v[0-9a-z]+$/.test(version)) return null;
    return group === "" ? `kubernetes-models/${version}` : `kubernetes-models/${apiVersion}`;
}
const modules = new Map();
async function modelClass(apiVersion, kind) {
    const name = modelModule(String(apiVersion));
    if (!name) return { error: `no schema is known for apiVersion ${apiVersion}` };
    if (!modules.has(name)) modules.set(name, await import(name).catch(() => null));
    const mod = modules.get(name);
    if (!mod) return { error: `no schema is known for apiVersion ${apiVersion}` };
    const cls = mod[kind];
    if (typeof cls !== "function" || cls.kind !== kind || cls.apiVersion !== apiVersion)
        return { error: `${apiVersion} has no kind ${kind}` };
    return { cls };
}

// Runs the class's validate() on a copy of the object whose every read is recorded: a key of an
// object that the validator never looked at is one the schema does not define. (Maps such as
// labels are iterated, so all their keys count as read.)
function unknownFields(cls, obj) {
    const reads = new Map();
    const wrap = (value, at) => {
        if (value === null || typeof value !== "object") return value;
        const seen = new Set();
        reads.set(at, { value, seen });
        const children = new Map();
        return new Proxy(value, {
            get(target, key, receiver) {
                if (typeof key !== "string" || !Object.hasOwn(target, key)) return Reflect.get(target, key, receiver);
                seen.add(key);
                if (!children.has(key)) children.set(key, wrap(target[key], `${at}/${key}`));
                return children.get(key);
            },
            has(target, key) {
                if (typeof key === "string") seen.add(key);
                return Reflect.has(target, key);
            },
            ownKeys(target) {
                for (const key of Object.keys(target)) seen.add(key);
                return Reflect.ownKeys(target);
            },
        });
    };
    try {
        cls.prototype.validate.call(wrap(structuredClone(obj), ""));
    } catch {
        // The errors are validate()'s to report, on the object itself.
    }
    const unknown = [];
    for (const [at, { value, seen }] of reads) {
        if (Array.isArray(value)) continue;
        for (const key of Object.keys(value)) if (!seen.has(key)) unknown.push(`${at}/${key}`);
    }
    return unknown;
}

// --- Kustomize, the part these manifests use --------------------------------------------------
const clusterScoped = new Set([
    "Namespace", "PersistentVolume", "StorageClass", "ClusterRole", "ClusterRoleBinding",
    "CustomResourceDefinition", "PriorityClass", "IngressClass", "RuntimeClass", "CSIDriver",
    "VolumeAttachment", "APIService", "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration", "ClusterTriggerAuthentication",
]);
const kustomizationFields = new Set([
    "apiVersion", "kind", "namespace", "resources", "secretGenerator", "configMapGenerator",
    "images", "labels",
]);
const rel = (p) => path.relative(source, p) || ".";
const gitignore = fs.existsSync(path.join(source, ".gitignore"))
    ? fs.readFileSync(path.join(source, ".gitignore"), "utf8").split("\n").map((l) => l.trim())
    : [];

function readYaml(file) {
    const docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"), { version: "1.1", uniqueKeys: true });
    const out = [];
    docs.forEach((doc, i) => {
        for (const e of [...doc.errors, ...doc.warnings]) problem(`${rel(file)}: ${e.message}`);
        const value = doc.toJS({ maxAliasCount: 0 });
        if (value !== null && value !== undefined) out.push({ obj: value, where: `${rel(file)}#${i + 1}` });
    });
    return out;
}

const named = new Set(); // every file some kustomization names
function generated(k, dir, where, kind) {
    const objs = [];
    for (const gen of k[kind === "Secret" ? "secretGenerator" : "configMapGenerator"] || []) {
        const data = {};
        if (!gen.name) problem(`${where}: a generator without a name`);
        if (kind === "Secret" && (gen.literals || gen.envs))
            problem(`${where}: secret ${gen.name} from literals or envs: a secret must not be kept in git, ` +
                "read it from a file the operator makes (files:)");
        for (const literal of gen.literals || []) {
            const [key, ...value] = String(literal).split("=");
            data[key] = value.join("=");
        }
        for (const entry of gen.files || []) {
            const [key, file] = String(entry).includes("=") ? String(entry).split("=", 2) : [path.basename(entry), entry];
            const full = path.resolve(dir, file);
            named.add(full);
            if (!full.startsWith(dir + path.sep)) problem(`${where}: ${gen.name} reads ${file}, outside its folder`);
            if (fs.existsSync(full)) {
                data[key] = fs.readFileSync(full, "utf8");
            } else if (gitignore.includes(`/${path.relative(source, full)}`)) {
                // The operator's file (the token): never in git, so a stand-in here.
                data[key] = "stand-in\n";
            } else {
                problem(`${where}: ${gen.name} reads ${rel(full)}, which does not exist and is not ` +
                    "the operator's (ignored by .gitignore)");
            }
        }
        const obj = { apiVersion: "v1", kind, metadata: { name: gen.name } };
        if (kind === "Secret") {
            obj.type = gen.type || "Opaque";
            obj.data = Object.fromEntries(Object.entries(data).map(([key, v]) => [key, Buffer.from(v).toString("base64")]));
        } else {
            obj.data = data;
        }
        objs.push({ obj, where: `${where} ${kind === "Secret" ? "secretGenerator" : "configMapGenerator"} ${gen.name}` });
    }
    return objs;
}

function podSpecs(obj) {
    const spec = obj?.spec;
    if (!spec) return [];
    if (obj.kind === "Pod") return [spec];
    if (obj.kind === "CronJob") return spec.jobTemplate?.spec?.template?.spec ? [spec.jobTemplate.spec.template.spec] : [];
    return spec.template?.spec ? [spec.template.spec] : [];
}
const containersOf = (pod) => [...(pod.initContainers || []), ...(pod.containers || [])];

function build(dir, chain = []) {
    const file = path.join(dir, "kustomization.yaml");
    if (chain.includes(dir)) {
        problem(`${rel(file)}: includes itself`);
        return [];
    }
    if (!fs.existsSync(file)) {
        problem(`${rel(dir)}: a folder named as a resource has no kustomization.yaml`);
        return [];
    }
    named.add(file);
    const docs = readYaml(file);
    const k = docs[0]?.obj || {};
    const where = rel(file);
    if (k.apiVersion !== "kustomize.config.k8s.io/v1beta1" || k.kind !== "Kustomization")
        problem(`${where}: not a kustomize.config.k8s.io/v1beta1 Kustomization`);
    for (const field of Object.keys(k))
        if (!kustomizationFields.has(field)) problem(`${where}: field ${field} is not one this check can expand`);
    let objs = [];
    for (const entry of k.resources || []) {
        if (/^[a-z]+:\/\/|^github\.com\//.test(entry)) {
            problem(`${where}: remote resource ${entry}: everything must be in the repository`);
            continue;
        }
        const full = path.resolve(dir, entry);
        if (!fs.existsSync(full)) problem(`${where}: resource ${entry} does not exist`);
        else if (fs.statSync(full).isDirectory()) objs.push(...build(full, [...chain, dir]));
        else {
            named.add(full);
            objs.push(...readYaml(full));
        }
    }
    objs.push(...generated(k, dir, where, "Secret"), ...generated(k, dir, where, "ConfigMap"));
    for (const { obj } of objs) {
        if (!obj || typeof obj !== "object") continue;
        obj.metadata ??= {};
        if (k.namespace && !clusterScoped.has(obj.kind)) obj.metadata.namespace = k.namespace;
        for (const set of k.labels || []) obj.metadata.labels = { ...obj.metadata.labels, ...set.pairs };
        for (const image of k.images || []) {
            for (const pod of podSpecs(obj)) {
                for (const c of containersOf(pod)) {
                    const m = /^([^@]+?)(?::([^:/@]+))?(@.*)?$/.exec(c.image || "");
                    if (!m || m[1] !== image.name) continue;
                    c.image = (image.newName || image.name) + (image.digest ? `@${image.digest}` : image.newTag ? `:${image.newTag}` : m[2] ? `:${m[2]}` : "");
                }
            }
        }
    }
    return objs;
}

// --- What the API server requires beyond the schema, and references between objects -----------
const dns1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const matches = (selector, labels) =>
    Object.entries(selector || {}).every(([key, value]) => (labels || {})[key] === value);
const arg = (args, name) => {
    const i = (args || []).indexOf(name);
    return i >= 0 && i + 1 < args.length ? String(args[i + 1]) : undefined;
};
function url(text) {
    const m = /^([a-z]+):\/\/(?:[^@/]*@)?([A-Za-z0-9.-]+)(?::(\d+))?(\/.*)?$/.exec(text || "");
    return m ? { scheme: m[1], host: m[2], port: m[3] ? Number(m[3]) : undefined } : null;
}

function checkReferences(objs, label) {
    const byKind = (kind) => objs.filter((o) => o.obj.kind === kind);
    const secrets = new Map(byKind("Secret").map((o) => [o.obj.metadata.name, o.obj]));
    const configMaps = new Set(byKind("ConfigMap").map((o) => o.obj.metadata.name));
    const workloads = objs.filter((o) => podSpecs(o.obj).length);
    const seen = new Set();
    for (const { obj, where } of objs) {
        const id = `${obj.kind}/${obj.metadata?.namespace ?? ""}/${obj.metadata?.name}`;
        if (seen.has(id)) problem(`${label}: ${obj.kind} ${obj.metadata?.name} is defined twice`);
        seen.add(id);
        if (!obj.metadata?.name || !dns1123.test(obj.metadata.name) || obj.metadata.name.length > 253)
            problem(`${where}: ${obj.kind} has no valid metadata.name ('${obj.metadata?.name}')`);
        if (obj.status) problem(`${where}: ${obj.kind} ${obj.metadata?.name} carries a status`);
    }
    for (const { obj, where } of workloads) {
        const name = `${obj.kind} ${obj.metadata.name}`;
        const template = obj.kind === "Pod" ? obj : obj.spec.template;
        if (obj.kind !== "Pod" && obj.kind !== "CronJob" && obj.kind !== "Job") {
            if (!obj.spec.selector?.matchLabels || !matches(obj.spec.selector.matchLabels, template?.metadata?.labels))
                problem(`${where}: ${name}'s selector does not match its pod template's labels`);
        }
        for (const pod of podSpecs(obj)) {
            const volumes = new Map((pod.volumes || []).map((v) => [v.name, v]));
            for (const claim of obj.spec.volumeClaimTemplates || []) volumes.set(claim.metadata?.name, { claim });
            const containerNames = new Set();
            for (const c of containersOf(pod)) {
                if (!c.name) problem(`${where}: ${name} has a container without a name`);
                if (containerNames.has(c.name)) problem(`${where}: ${name} has two containers named ${c.name}`);
                containerNames.add(c.name);
                // Optional in the schema, required by the API server for a workload.
                if (!c.image) problem(`${where}: ${name}'s container ${c.name} has no image`);
                const ports = new Set((c.ports || []).map((p) => p.name).filter(Boolean));
                for (const m of c.volumeMounts || [])
                    if (!volumes.has(m.name)) problem(`${where}: ${name}'s container ${c.name} mounts the undefined volume ${m.name}`);
                for (const probeName of ["startupProbe", "readinessProbe", "livenessProbe"]) {
                    const port = c[probeName]?.httpGet?.port ?? c[probeName]?.tcpSocket?.port;
                    if (typeof port === "string" && !ports.has(port))
                        problem(`${where}: ${name}'s ${probeName} uses the undefined port ${port}`);
                }
                for (const e of c.env || []) {
                    const ref = e.valueFrom?.secretKeyRef;
                    if (ref && !ref.optional && !secrets.get(ref.name)?.data?.[ref.key])
                        problem(`${where}: ${name} reads ${ref.key} of the undefined secret ${ref.name}`);
                }
            }
            for (const v of pod.volumes || []) {
                if (v.secret && !v.secret.optional) {
                    const secret = secrets.get(v.secret.secretName);
                    if (!secret) problem(`${where}: ${name}'s volume ${v.name} is the undefined secret ${v.secret.secretName}`);
                    for (const item of v.secret.items || [])
                        if (secret && !secret.data?.[item.key])
                            problem(`${where}: ${name}'s volume ${v.name} wants key ${item.key} of secret ${v.secret.secretName}`);
                }
                if (v.configMap && !v.configMap.optional && !configMaps.has(v.configMap.name))
                    problem(`${where}: ${name}'s volume ${v.name} is the undefined config map ${v.configMap.name}`);
            }
        }
        if (obj.kind === "StatefulSet") {
            const service = byKind("Service").find((s) => s.obj.metadata.name === obj.spec.serviceName);
            if (!service) problem(`${where}: ${name}'s serviceName ${obj.spec.serviceName} is no Service here`);
        }
    }
    for (const { obj, where } of byKind("Service")) {
        const selected = workloads.filter((w) => {
            const labels = w.obj.kind === "Pod" ? w.obj.metadata.labels : w.obj.spec.template?.metadata?.labels;
            return obj.spec?.selector && matches(obj.spec.selector, labels);
        });
        if (!selected.length) {
            problem(`${where}: Service ${obj.metadata.name} selects no pods defined here`);
            continue;
        }
        for (const port of obj.spec.ports || []) {
            if (typeof port.targetPort !== "string") continue;
            const defined = selected.some((w) => podSpecs(w.obj).some((pod) =>
                containersOf(pod).some((c) => (c.ports || []).some((p) => p.name === port.targetPort))));
            if (!defined) problem(`${where}: Service ${obj.metadata.name}'s targetPort ${port.targetPort} is no container port`);
        }
    }
    for (const { obj, where } of byKind("ScaledObject")) {
        const ref = obj.spec?.scaleTargetRef || {};
        const kind = ref.kind || "Deployment";
        if (!objs.some((o) => o.obj.kind === kind && o.obj.metadata.name === ref.name))
            problem(`${where}: ScaledObject ${obj.metadata.name} scales the undefined ${kind} ${ref.name}`);
    }
}

// --- What vtfarm needs -------------------------------------------------------------------------
const NODE_DEFAULT_GRACE = 25; // vtfarm-cli node --grace
const mode = (m) => (typeof m === "number" ? m : 0o644);

function checkVtfarm(objs, label) {
    const all = objs.map((o) => o.obj);
    const container = (obj) => podSpecs(obj)[0]?.containers?.[0] || {};
    const argsOf = (obj) => (container(obj).args || container(obj).command || []).map(String);
    const withArgs = (first) => objs.filter((o) => podSpecs(o.obj).length && argsOf(o.obj)[0] === first);
    const one = (what, list) => {
        if (list.length !== 1) problem(`${label}: ${list.length} ${what}, not one`);
        return list[0];
    };
    const serviceFor = (obj) => all.find((s) => s.kind === "Service" && s.spec?.selector &&
        matches(s.spec.selector, obj.spec.template?.metadata?.labels));
    const mountFor = (obj, file) => {
        const pod = podSpecs(obj)[0];
        const mounts = container(obj).volumeMounts || [];
        const m = mounts.filter((x) => file === x.mountPath || file.startsWith(x.mountPath.replace(/\/?$/, "/")))
            .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
        if (!m) return {};
        const volume = (pod.volumes || []).find((v) => v.name === m.name) ||
            { claim: (obj.spec.volumeClaimTemplates || []).find((c) => c.metadata?.name === m.name) };
        return { mount: m, volume };
    };
    const checkToken = (o, name) => {
        const file = arg(argsOf(o.obj), "--token-file");
        const { mount, volume } = mountFor(o.obj, file || "");
        if (!file || !volume?.secret) {
            problem(`${o.where}: ${name}'s --token-file ${file} is not on a mounted Secret`);
            return;
        }
        const key = path.posix.relative(mount.mountPath, file);
        const secret = all.find((s) => s.kind === "Secret" && s.metadata.name === volume.secret.secretName);
        if (secret && !secret.data?.[key])
            problem(`${o.where}: ${name}'s --token-file ${file} is the key ${key}, which secret ${secret.metadata.name} lacks`);
        const m = mode(volume.secret.defaultMode);
        if (m & 0o007 || !(m & 0o040))
            problem(`${o.where}: ${name}'s token must be readable by its group (fsGroup) and not by others (mode ${m.toString(8)})`);
        if (typeof podSpecs(o.obj)[0].securityContext?.fsGroup !== "number")
            problem(`${o.where}: ${name} needs an fsGroup for its user to read the token`);
    };

    // Redis 7 with AOF on a claim, behind a headless Service.
    const redis = one("Redis StatefulSets", objs.filter((o) => o.obj.kind === "StatefulSet" &&
        /^redis:7/.test(container(o.obj).image || "")));
    let redisService;
    if (redis) {
        const args = argsOf(redis.obj);
        if (arg(args, "--appendonly") !== "yes") problem(`${redis.where}: Redis must run with --appendonly yes`);
        const { volume } = mountFor(redis.obj, "/data");
        if (!volume?.claim) problem(`${redis.where}: Redis must keep /data on a claim of its volumeClaimTemplates`);
        redisService = all.find((s) => s.kind === "Service" && s.metadata.name === redis.obj.spec.serviceName);
        if (!redisService) problem(`${redis.where}: Redis has no Service (its serviceName)`);
        else if (redisService.spec?.clusterIP !== "None") problem(`${redis.where}: Redis's Service must be headless`);
        if (redis.obj.spec.replicas !== 1) problem(`${redis.where}: Redis runs one replica`);
    }
    const redisPort = redisService?.spec.ports?.[0]?.port;
    const checkRedis = (o, name) => {
        if (!redisService) return; // reported above
        const u = url(arg(argsOf(o.obj), "--redis"));
        if (!u || u.scheme !== "redis" || u.host !== redisService?.metadata.name || (u.port ?? 6379) !== redisPort)
            problem(`${o.where}: ${name}'s --redis must be redis://${redisService?.metadata.name}:${redisPort}, the Redis Service`);
    };

    // The coordinator: one replica with its store on a claim, -j 0, /healthz probes, a Service.
    const coordinator = one("coordinators (serve)", withArgs("serve"));
    let coordinatorService;
    if (coordinator) {
        const obj = coordinator.obj;
        const args = argsOf(obj);
        if (obj.kind !== "StatefulSet" || obj.spec.replicas !== 1)
            problem(`${coordinator.where}: the coordinator must be a StatefulSet of one replica`);
        checkRedis(coordinator, "the coordinator");
        if (arg(args, "-j") !== "0" && arg(args, "--jobs") !== "0") problem(`${coordinator.where}: the coordinator must run with -j 0`);
        if (arg(args, "--bind") !== "0.0.0.0") problem(`${coordinator.where}: the coordinator must --bind 0.0.0.0`);
        checkToken(coordinator, "the coordinator");
        if (!mountFor(obj, arg(args, "--data-dir") || "/nowhere").volume?.claim)
            problem(`${coordinator.where}: the coordinator's --data-dir must be on a claim`);
        const port = Number(arg(args, "--port") || 8000);
        const c = container(obj);
        const portNumber = (p) => (typeof p === "number" ? p : (c.ports || []).find((x) => x.name === p)?.containerPort);
        for (const probe of ["readinessProbe", "livenessProbe"]) {
            const get = c[probe]?.httpGet;
            if (!get || get.path !== "/healthz" || portNumber(get.port) !== port)
                problem(`${coordinator.where}: the coordinator needs a ${probe} on /healthz, port ${port}`);
        }
        coordinatorService = serviceFor(obj);
        const servicePort = coordinatorService?.spec.ports?.find((p) => portNumber(p.targetPort ?? p.port) === port);
        if (!servicePort) problem(`${coordinator.where}: no Service forwards to the coordinator's port ${port}`);
        else if (servicePort.port !== 8000) problem(`${coordinator.where}: the coordinator's Service must listen on 8000`);
    }

    // The nodes: a Deployment that reaches both, with a grace shorter than Kubernetes waits.
    const node = one("node Deployments", withArgs("node"));
    if (node) {
        const obj = node.obj;
        const args = argsOf(obj);
        if (obj.kind !== "Deployment") problem(`${node.where}: the nodes must be a Deployment`);
        checkRedis(node, "the node");
        const server = url(arg(args, "--server"));
        if (coordinatorService && (!server || server.scheme !== "http" || server.host !== coordinatorService.metadata.name ||
            (server.port ?? 80) !== 8000))
            problem(`${node.where}: the node's --server must be http://${coordinatorService?.metadata.name}:8000`);
        checkToken(node, "the node");
        if (!mountFor(obj, arg(args, "--work-dir") || "/nowhere").volume?.emptyDir)
            problem(`${node.where}: the node's --work-dir must be an emptyDir`);
        const grace = Number(arg(args, "--grace") ?? NODE_DEFAULT_GRACE);
        const termination = podSpecs(obj)[0].terminationGracePeriodSeconds ?? 30;
        if (!(termination > grace))
            problem(`${node.where}: terminationGracePeriodSeconds (${termination}) must exceed the node's --grace (${grace})`);
        const r = container(obj).resources || {};
        for (const kind of ["requests", "limits"])
            for (const what of ["cpu", "memory"])
                if (r[kind]?.[what] === undefined) problem(`${node.where}: the node needs resources.${kind}.${what}`);
    }

    // KEDA, where it is used: the node Deployment on the jobs stream of that Redis.
    for (const { obj, where } of objs.filter((o) => o.obj.kind === "ScaledObject")) {
        if (obj.spec.scaleTargetRef?.name !== node?.obj.metadata.name)
            problem(`${where}: the ScaledObject must scale the node Deployment`);
        const triggers = obj.spec.triggers || [];
        if (!triggers.some((t) => t.metadata?.lagCount !== undefined && t.metadata?.activationLagCount !== undefined))
            problem(`${where}: one trigger must scale on lagCount (with activationLagCount)`);
        for (const t of triggers) {
            const m = t.metadata || {};
            if (t.type !== "redis-streams") problem(`${where}: trigger ${t.name} is not redis-streams`);
            if (m.stream !== "vtfarm:jobs" || m.consumerGroup !== "nodes")
                problem(`${where}: trigger ${t.name} must watch stream vtfarm:jobs, group nodes`);
            if (!redisService) continue;
            const [host, port] = String(m.address || "").split(":");
            const ns = redis?.obj.metadata.namespace;
            const names = [`${redisService?.metadata.name}.${ns}`, `${redisService?.metadata.name}.${ns}.svc`,
                `${redisService?.metadata.name}.${ns}.svc.cluster.local`];
            if (!names.includes(host) || Number(port) !== redisPort)
                problem(`${where}: trigger ${t.name}'s address must be ${names[2]}:${redisPort} (KEDA's operator runs in another namespace)`);
            const slots = arg(node ? argsOf(node.obj) : [], "-j");
            if (m.pendingEntriesCount !== undefined && m.pendingEntriesCount !== slots)
                problem(`${where}: trigger ${t.name}'s pendingEntriesCount (${m.pendingEntriesCount}) must be the node's -j (${slots})`);
        }
    }
}

// --- Run -------------------------------------------------------------------------------------
function kustomizationDirs(dir) {
    const out = [];
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) out.push(...kustomizationDirs(full));
        else if (entry.name === "kustomization.yaml") out.push(dir);
        else if (/\.ya?ml$/.test(entry.name)) manifestFiles.push(full);
    }
    return out;
}
const manifestFiles = [];
const dirs = kustomizationDirs(root);
let validated = 0;
const builds = [];
for (const dir of dirs) {
    const label = rel(path.join(dir, "kustomization.yaml"));
    const objs = build(dir);
    builds.push({ label, count: objs.length });
    for (const o of objs) {
        if (!o.obj || typeof o.obj !== "object" || Array.isArray(o.obj)) {
            problem(`${o.where}: not an object`);
            continue;
        }
        const { cls, error } = await modelClass(o.obj.apiVersion, o.obj.kind);
        if (error) {
            problem(`${o.where}: ${error}`);
            continue;
        }
        try {
            new cls(o.obj).validate();
        } catch (e) {
            problem(`${o.where}: ${o.obj.kind} ${o.obj.metadata?.name}: ${e.message}`);
        }
        for (const field of unknownFields(cls, o.obj))
            problem(`${o.where}: ${o.obj.kind} ${o.obj.metadata?.name}: unknown field ${field.slice(1).replaceAll("/", ".")}`);
        validated++;
    }
    checkReferences(objs, label);
    checkVtfarm(objs, label);
}
for (const file of manifestFiles)
    if (!named.has(file)) problem(`${rel(file)}: named by no kustomization`);

for (const p of problems) console.log(p);
if (problems.length) process.exit(1);
const versions = Object.entries(pinned).map(([n, v]) => `${n} ${v}`).join(", ");
console.log(`${builds.map((b) => `${b.label}: ${b.count} objects`).join("; ")}; ` +
    `${validated} validated with ${versions}`);
