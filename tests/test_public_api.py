import sendmessage_kit


def _isort_key(name: str) -> tuple[int, str]:
    # ruff's RUF022 order: CONSTANTS, then Classes, then functions and dunders.
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_complete() -> None:
    names = sendmessage_kit.__all__
    assert names == sorted(set(names), key=_isort_key)
    for name in names:
        assert hasattr(sendmessage_kit, name), name
