"""Phones from CSV files: a CUCM BAT export and a plain list, with bad rows located."""

from pathlib import Path

from phonetui.discovery.csv_file import parse_phones_csv, read_phones_csv

BAT = (
    "DEVICE NAME,Description,Device Type,Device Pool,Directory Number 1,Owner User ID,Unused Column\n"
    'SEP001122334455,"Lobby, ground floor",Cisco 8845,DP-HQ,4001,alice,x\n'
    ",no name here,Cisco 7940,DP-HQ,4002,,\n"
    "\n"
    "SEPAABBCCDDEEFF,Reception,Cisco 7975,DP-Branch,,bob,\n"
)


def test_a_bat_export_by_its_columns_in_any_case() -> None:
    found, problems = parse_phones_csv(BAT, "export.csv")
    assert [(f.name, f.model, f.dn, f.description, f.device_pool, f.host) for f in found] == [
        ("SEP001122334455", "8845", "4001", "Lobby, ground floor", "DP-HQ", ""),
        ("SEPAABBCCDDEEFF", "7975", "", "Reception", "DP-Branch", ""),
    ]
    assert found[0].source == "export.csv:2"
    assert [str(p) for p in problems] == ["export.csv:3: no Device Name"]


def test_a_plain_list_with_or_without_header() -> None:
    text = "name,host,model,tags\nlobby,10.1.2.3,8845,hq;lobby\n# a comment\nbad,10.1.2.300\nshort\n"
    found, problems = parse_phones_csv(text, "phones.csv")
    assert [(f.name, f.host, f.model, f.tags) for f in found] == [("lobby", "10.1.2.3", "8845", ("hq", "lobby"))]
    assert [p.where for p in problems] == ["phones.csv:4", "phones.csv:5"]
    assert "host:" in problems[0].message and "300" in problems[0].message
    assert problems[1].message == "expected name,host[:port][,model][,tags]"
    found, problems = parse_phones_csv("a,127.0.0.1:8080\nb,phone-b.example,7940,x y\n")
    assert [(f.name, f.host, f.port, f.tags) for f in found] == [
        ("a", "127.0.0.1", 8080, ()),
        ("b", "phone-b.example", 0, ("x", "y")),
    ]
    assert problems == []


def test_read_from_a_file_with_a_bom_or_in_windows_encoding(tmp_path: Path) -> None:
    path = tmp_path / "bat.csv"
    path.write_bytes(b"\xef\xbb\xbfDevice Name,Description\nSEP1,Caf\xc3\xa9\n")
    assert [(f.name, f.description) for f in read_phones_csv(path)[0]] == [("SEP1", "Café")]
    path.write_bytes(b"Device Name,Description\nSEP1,Caf\xe9\n")
    assert [(f.name, f.description) for f in read_phones_csv(path)[0]] == [("SEP1", "Café")]


def test_an_empty_file_says_so() -> None:
    assert [str(p) for p in parse_phones_csv("", "x.csv")[1]] == ["x.csv: the file is empty"]


def test_unquoted_tags_after_the_model_are_all_kept() -> None:
    found, problems = parse_phones_csv("extra,127.77.0.6,8845,a,b c,d\n", "x.csv")
    assert problems == [] and found[0].tags == ("a", "b", "c", "d")
