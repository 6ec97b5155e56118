"""A pure-Python wheel of PyYAML for the Try-it lab, built from the sdist `uv.lock` pins.

PyYAML publishes no wheel for Pyodide's platform, but its sdist holds its pure-Python
implementation (`lib/yaml/`; the libyaml C extension is optional and left out: `yaml` falls back
to pure Python when `_yaml` is missing). So the lab keeps the kit's one scenario format (YAML
files validated with file, line and fix) by shipping that implementation as a
`py3-none-any` wheel, with PyYAML's MIT licence in its `.dist-info`.

The sdist comes from PyPI at the URL and sha256 `uv.lock` records; the wheel is cached in
`build/try-cache/built/` and is byte-for-byte the same on every build (fixed timestamps).
"""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import tomllib
import zipfile
from pathlib import Path

from docs.tables import ROOT, BuildError

#: Dependencies the lab gets as a wheel built here: name -> the sdist's package directory.
BUILT = {"pyyaml": "lib/yaml"}
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _locked_sdist(name: str) -> tuple[str, str, str]:
    """`uv.lock`'s version, sdist URL and sha256 of `name`."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    for package in lock["package"]:
        if package["name"] == name and "sdist" in package:
            sdist = package["sdist"]
            return package["version"], sdist["url"], sdist["hash"].removeprefix("sha256:")
    raise BuildError(f"uv.lock pins no sdist of {name}: run `uv lock`")


def _sdist(name: str, cache: Path) -> tuple[str, bytes]:
    """The version and bytes of `name`'s sdist (downloaded once, checked against `uv.lock`)."""
    import httpx2

    version, url, sha256 = _locked_sdist(name)
    path = cache / url.rsplit("/", 1)[1]
    if not path.exists():
        response = httpx2.get(url, follow_redirects=True, timeout=60)
        response.raise_for_status()
        cache.mkdir(parents=True, exist_ok=True)
        path.write_bytes(response.content)
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        path.unlink()
        raise BuildError(f"{path.name}: sha256 differs from uv.lock's; removed it, build again")
    return version, data


def pure_wheel(name: str, cache: Path) -> Path:
    """`name`'s pure-Python wheel (`py3-none-any`), built from its locked sdist; its path."""
    version, data = _sdist(name, cache)
    wheel = cache / f"{name}-{version}-py3-none-any.whl"
    if wheel.exists():
        return wheel
    files: dict[str, bytes] = {}
    dist_info = f"{name}-{version}.dist-info"
    pkg_info = ""
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        top = tar.getnames()[0].split("/")[0]
        package = f"{top}/{BUILT[name]}/"
        for member in sorted(tar.getmembers(), key=lambda m: m.name):
            if member.isfile() and member.name.startswith(package) and member.name.endswith(".py"):
                rel = member.name.removeprefix(f"{top}/{BUILT[name].rsplit('/', 1)[0]}/")
                files[rel] = _read(tar, member)
            elif member.name == f"{top}/LICENSE":
                files[f"{dist_info}/licenses/LICENSE"] = _read(tar, member)
            elif member.name == f"{top}/PKG-INFO":
                pkg_info = _read(tar, member).decode()
    if not pkg_info or f"{dist_info}/licenses/LICENSE" not in files or len(files) < 3:
        raise BuildError(f"{name} {version}'s sdist lacks PKG-INFO, LICENSE or {BUILT[name]}/")
    files[f"{dist_info}/METADATA"] = _metadata(pkg_info).encode()
    files[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: sendmessage-kit docs/pure_wheel.py\n"
        b"Root-Is-Purelib: true\nTag: py3-none-any\n"
    )
    record = [f"{path},{_hash(content)},{len(content)}" for path, content in files.items()]
    files[f"{dist_info}/RECORD"] = ("\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n").encode()
    tmp = wheel.with_suffix(".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for path, content in files.items():
            zf.writestr(zipfile.ZipInfo(path, _EPOCH), content, zipfile.ZIP_DEFLATED)
    tmp.rename(wheel)
    return wheel


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    stream = tar.extractfile(member)
    if stream is None:
        raise BuildError(f"cannot read {member.name} from the sdist")
    return stream.read()


def _metadata(pkg_info: str) -> str:
    """The sdist's PKG-INFO as the wheel's METADATA, naming the licence file it ships."""
    head, sep, body = pkg_info.partition("\n\n")
    lines = [ln for ln in head.splitlines() if not ln.startswith("License-File:")]
    return "\n".join([*lines, "License-File: LICENSE"]) + sep + body


def _hash(content: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=")
    return f"sha256={digest.decode()}"
