// Byte-compile wheels for Pyodide's own CPython (docs/build_try.py runs it with node):
//   node docs/try_compile.mjs PYODIDE_DIR IN_DIR OUT_DIR WHEEL...   (WHEEL: a path under IN_DIR)
// Each wheel is copied to OUT_DIR with a __pycache__/*.pyc (unchecked-hash: no mtimes to match)
// beside every module, so the reader's browser imports without compiling.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [core, inDir, out, ...wheels] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(core, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: core + "/" });
py.FS.mkdirTree("/in");
py.FS.mkdirTree("/out");
py.FS.mount(py.FS.filesystems.NODEFS, { root: path.resolve(inDir) }, "/in");
py.FS.mount(py.FS.filesystems.NODEFS, { root: path.resolve(out) }, "/out");
py.globals.set("names", py.toPy(wheels));
await py.runPythonAsync(`
import os, py_compile, sys, tempfile, zipfile

tag = sys.implementation.cache_tag
for name in names:
    src, dst = f"/in/{name}", f"/out/{os.path.basename(name)}"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst + ".part", "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, data)
            top = info.filename.split("/")[0]
            if not info.filename.endswith(".py") or top.endswith((".dist-info", ".data")):
                continue
            folder, module = os.path.split(info.filename)
            with tempfile.TemporaryDirectory() as tmp:
                source = os.path.join(tmp, module)
                with open(source, "wb") as f:
                    f.write(data)
                target = source + "c"
                try:
                    py_compile.compile(source, target, dfile=info.filename, doraise=True,
                        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
                except py_compile.PyCompileError:
                    continue  # a file the package never imports (e.g. a template)
                with open(target, "rb") as f:
                    pyc = f.read()
            cached = f"{folder}/__pycache__/{module[:-3]}.{tag}.pyc" if folder else f"__pycache__/{module[:-3]}.{tag}.pyc"
            zout.writestr(cached, pyc)
    os.replace(dst + ".part", dst)
    print("compiled", os.path.basename(name))
`);
