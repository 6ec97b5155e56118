import inspect
import subprocess
import sys

import sendmessage_kit
from sendmessage_kit import errors


def _isort_key(name: str) -> tuple[int, str]:
    # ruff's RUF022 order: CONSTANTS, then Classes, then functions and dunders.
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_complete() -> None:
    names = sendmessage_kit.__all__
    assert names == sorted(set(names), key=_isort_key)
    for name in names:
        assert hasattr(sendmessage_kit, name), name


def test_the_whole_exception_tree_is_exported_at_the_top_level() -> None:
    tree = {
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value)
        and issubclass(value, errors.SendMessageKitError)
        and value.__module__ == errors.__name__
    }
    assert {"TransportError", "ConnectError", "RequestTimeout", "ResponseError"} <= tree
    assert {"SettingsError", "AuthError", "SignedOutError", "TLSError"} <= tree
    for name in tree:
        assert name in sendmessage_kit.__all__, name
        assert getattr(sendmessage_kit, name) is getattr(errors, name)


def test_names_stay_lazy() -> None:
    # Importing the package (and the CLI's parser) loads neither pydantic nor httpx2; naming an
    # error or the client class does not either; the first client loads both.
    code = (
        "import sys, sendmessage_kit, sendmessage_kit.cli as c; c.build_parser();"
        "heavy = ('pydantic', 'httpx2');"
        "loaded = lambda: [m for m in heavy if m in sys.modules];"
        "before = loaded();"
        "sendmessage_kit.ConnectError; sendmessage_kit.GatewayClient;"
        "named = loaded();"
        "sendmessage_kit.GatewayClient(base_url='http://127.0.0.1:9', agent_id='101',"
        " history=False).close();"
        "print(before, named, loaded())"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "[] [] ['pydantic', 'httpx2']"
