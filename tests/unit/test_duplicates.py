"""Citizen keys and text similarity (docs/contract.md §6), no I/O."""

from lianxin import duplicates as d

SECRET = "test-secret"


def test_contacts_are_normalised_before_they_are_keyed():
    one = d.citizen_keys({"phone": "138-1234-1234", "email": "Zhang@Example.COM "}, SECRET)
    two = d.citizen_keys({"phone": "+86 13812341234", "email": "zhang@example.com"}, SECRET)
    assert one == two and len(one) == 2
    assert all(k[:2] in ("p:", "e:") and len(k) == 34 for k in one)
    assert "13812341234" not in "".join(one)
    assert d.citizen_keys({"phone": "13812341234"}, "another-secret") != d.citizen_keys(
        {"phone": "13812341234"}, SECRET
    )
    assert d.citizen_keys({"anonymous": True}, SECRET) == []
    assert d.citizen_keys({"id_number": "11010119900307 123x"}, SECRET) == d.citizen_keys(
        {"id_number": "11010119900307123X"}, SECRET
    )


def test_similarity_of_chinese_text():
    a = "清水镇化工厂夜间向河道排放污水，气味刺鼻。"
    assert d.similarity(a, a) == 1.0
    assert d.similarity(a, "清水镇化工厂，夜间向河道排放污水；气味刺鼻!") == 1.0  # punctuation
    assert d.similarity(a, "城关镇解放路路灯坏了") == 0.0
    assert 0.4 < d.similarity(a, "清水镇化工厂夜里偷偷向河道排污水，臭味刺鼻") < 0.7
    assert d.similarity("", a) == 0.0


def test_best_match_takes_the_most_similar_over_the_threshold():
    new = {"title": "排污", "content": "清水镇化工厂夜间排放污水"}
    near = {"_id": "A", "title": "排污", "content": "清水镇化工厂夜间排放污水，很臭"}
    nearer = {"_id": "B", "title": "排污", "content": "清水镇化工厂夜间排放污水"}
    far = {"_id": "C", "title": "路灯", "content": "路灯不亮"}
    assert d.best_match(new, [near, nearer, far], 0.5)[0]["_id"] == "B"
    assert d.best_match(new, [far], 0.5) is None
