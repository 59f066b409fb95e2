// Import rules for src/, checked by `npm run lint` (dependency-cruiser; docs/architecture.md,
// "Layers"). Imports point down: a folder may import the layers below its own, never one above.
// Inside a layer, a folder may import only the folders listed after it, so the folders of src/
// form no import cycle by construction; `no-folder-cycle` and `no-module-cycle` say so directly.
//
// Type-only imports count like any other: a type that an upper layer owns and a lower one needs
// is a sign that it belongs lower (that is how the budget stop moved to domain/), and types are
// what decide whether a folder can be read, tested or replaced on its own.

/** Top to bottom. Folders named here that do not exist yet are the places the plan makes. */
const LAYERS = [
  { name: "entry", folders: ["cli"], why: "the docket command: parses arguments, calls runtime" },
  { name: "assembly", folders: ["runtime"], why: "the composition root: builds and starts everything" },
  {
    name: "drivers",
    folders: ["http", "duties"],
    why: "what runtime starts: the API server and the background duties",
  },
  { name: "events", folders: ["events"], why: "webhooks, SSE and metrics about jobs and workers" },
  {
    name: "work",
    folders: ["offload", "worker", "jobs", "invocations", "lineage", "validation", "output", "dedup"],
    why: "provider batch jobs, running records, job kinds, retry lineage, validating inputs, finalizing outputs, identical requests once",
  },
  { name: "policies", folders: ["budget", "limits"], why: "budget stops and per-route gates" },
  {
    name: "resources",
    folders: ["store", "backends", "blobs", "prep", "views", "gguf", "http-client", "bridge"],
    why: "store, model backends, blob store, data preparation, wire shapes, GGUF tooling, dialect bridging",
  },
  { name: "routing", folders: ["routing"], why: "model name → route" },
  { name: "config", folders: ["config"], why: "docket.config.json: shape, defaults, checks" },
  { name: "domain", folders: ["domain"], why: "types, transitions, ids, durations, errors (pure)" },
];

const folderPattern = (folders) => `^src/(${folders.join("|")})/`;

/** A layer must not import any layer above it. */
const layerRules = LAYERS.slice(1).map((layer, i) => {
  const above = LAYERS.slice(0, i + 1).flatMap((l) => l.folders);
  return {
    name: `layer-${layer.name}`,
    comment: `${layer.folders.join(", ")} (${layer.why}) must not import a layer above it: ${above.join(", ")}.`,
    severity: "error",
    from: { path: folderPattern(layer.folders) },
    to: { path: folderPattern(above) },
  };
});

/** Inside a layer, a folder must not import the folders listed before it. */
const sidewaysRules = LAYERS.flatMap((layer) =>
  layer.folders.slice(1).map((folder, i) => {
    const before = layer.folders.slice(0, i + 1);
    return {
      name: `sideways-${folder}`,
      comment: `In the ${layer.name} layer, ${folder} may import only the folders listed after it, not ${before.join(", ")}.`,
      severity: "error",
      from: { path: folderPattern([folder]) },
      to: { path: folderPattern(before) },
    };
  }),
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-folder-cycle",
      comment:
        "Folders of src/ form no import cycle (two folders that need each other are one, " +
        "or share something that belongs lower).",
      severity: "error",
      scope: "folder",
      // Folder scope: dependency-cruiser's folder graph (a folder's modules and subfolders'
      // modules → the folders they import). An arrow that leaves the top folder and closes a loop.
      from: { path: "^(src/[^/]+)" },
      to: { pathNot: "^$1(/|$)", circular: true },
    },
    {
      name: "no-module-cycle",
      comment: "No file imports itself round a loop.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "unlayered-folder",
      comment: "Every folder of src/ has a layer: add a new folder to LAYERS in .dependency-cruiser.cjs.",
      severity: "error",
      from: { path: "^src/", pathNot: folderPattern(LAYERS.flatMap((l) => l.folders)) },
      to: {},
    },
    ...layerRules,
    ...sidewaysRules,
  ],
  options: {
    // Unit tests beside the code (src/**/*.test.ts) are held to the same layers.
    includeOnly: "^src/",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
