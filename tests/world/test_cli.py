import json

from ecomlib.cli import main
from ecomlib.world import list_sources


def test_world_list(capsys):
    assert main(["world", "list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["name", "lang", "data_type"]
    for s in list_sources():
        assert s.name in out
    assert len(out.strip().splitlines()) == len(list_sources()) + 1


def test_world_sample(capsys):
    assert main(["world", "sample", "--source", "MEPAVE", "-n", "4", "--profile", "smoke"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 4
    assert all(json.loads(line)["source"] == "MEPAVE" for line in lines)


def test_world_sample_unknown_source(capsys):
    assert main(["world", "sample", "--source", "Nope"]) == 2
    err = capsys.readouterr().err
    assert "Nope" in err and "Lenovo" in err
