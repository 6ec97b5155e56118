// Runs a Python file in Pyodide under Node.js, with a folder of this machine at /work.
//
//     node docs/run_in_pyodide.mjs PYODIDE_DIR WORK_DIR SCRIPT.py
//
// docs/build_try.py uses it to compile the Try-it lab's Python to bytecode with the very
// CPython the reader's browser runs (docs/precompile.py): this machine has no Python 3.14.
import fs from "node:fs";
import { pathToFileURL } from "node:url";

const [core, work, script] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(`${core}/pyodide.mjs`).href);
const pyodide = await loadPyodide({ indexURL: `${core}/` });
pyodide.FS.mkdirTree("/work");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: work }, "/work");
await pyodide.runPythonAsync(fs.readFileSync(script, "utf8"));
