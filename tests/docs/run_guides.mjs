// Runs guides' code cells in Pyodide under Node, from a built Try-it site's own files:
//   node tests/docs/run_guides.mjs SITE/try NOTEBOOK...
// NOTEBOOK is a path under the lab's files (e.g. notebooks/07_customer_demo.ipynb), optionally
// followed by "::EXPR", a Python expression that must be true after its last cell. The lab's
// files (SITE/try/files: the guides, the scenarios they read) are copied into Pyodide's file
// system at /drive, as the lab's drive holds them, and each notebook runs in its own folder.
// Prints "<notebook>: ok" or "<notebook>: cell N failed: <error>" per notebook.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [tryDir, ...notebooks] = process.argv.slice(2);
const indexDir = path.join(tryDir, "static", "pyodide");
const { loadPyodide } = await import(pathToFileURL(path.join(indexDir, "pyodide.mjs")).href);
const py = await loadPyodide({
  indexURL: path.resolve(indexDir) + "/",
  packages: ["micropip", "ipython", "comm", "jedi", "sendmessage-kit"],
  stdout: () => {},
  stderr: () => {},
});

function copyInto(src, dest) {
  py.FS.mkdirTree(dest);
  for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
    const from = path.join(src, entry.name);
    if (entry.isDirectory()) copyInto(from, `${dest}/${entry.name}`);
    else py.FS.writeFile(`${dest}/${entry.name}`, fs.readFileSync(from));
  }
}
copyInto(path.join(tryDir, "files"), "/drive");

for (const arg of notebooks) {
  const [file, check] = arg.split("::");
  const nb = JSON.parse(fs.readFileSync(path.join(tryDir, "files", file), "utf-8"));
  py.FS.chdir(path.posix.dirname(`/drive/${file}`));
  let status = "ok";
  for (const [i, cell] of nb.cells.entries()) {
    if (cell.cell_type !== "code") continue;
    const source = [].concat(cell.source).join("");
    try {
      await py.runPythonAsync(source);
    } catch (e) {
      status = `cell ${i + 1} failed: ${String(e).trim().split("\n").slice(-1)[0]}`;
      break;
    }
  }
  if (status === "ok" && check && !py.runPython(`bool(${check})`)) status = `not true: ${check}`;
  console.log(`${path.basename(file)}: ${status}`);
}
// A guide may leave polling tasks running (guide 7's playground): end here, not when they do.
process.exit(0);
