// Runs guides' code cells in Pyodide under Node, from a built Try-it site's own files:
//   node tests/docs/run_guides.mjs SITE/try/static/pyodide NOTEBOOK...
// Prints "<notebook>: ok" or "<notebook>: cell N failed: <error>" per notebook.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [indexDir, ...notebooks] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(indexDir, "pyodide.mjs")).href);
const py = await loadPyodide({
  indexURL: path.resolve(indexDir) + "/",
  packages: ["micropip", "ipython", "comm", "jedi", "sendmessage-kit"],
  stdout: () => {},
  stderr: () => {},
});
for (const file of notebooks) {
  const nb = JSON.parse(fs.readFileSync(file, "utf-8"));
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
  console.log(`${path.basename(file)}: ${status}`);
}
// A guide may leave polling tasks running (guide 7's playground): end here, not when they do.
process.exit(0);
