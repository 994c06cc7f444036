"""The heat map: counts per cell, and a click filters the register."""


def test_heat_map_counts_cells_and_a_click_filters_the_list(acme, make_risk):
    make_risk(title="Alpha", likelihood=4, impact=5)
    make_risk(title="Beta", likelihood=4, impact=5)
    make_risk(title="Gamma", likelihood=1, impact=1)
    client = acme.logged_in_client(acme.ciso)
    body = client.get("/risks/").content.decode()
    assert 'aria-label="Likelihood 4, impact 5: 2 risks"' in body
    assert 'aria-label="Likelihood 1, impact 1: 1 risks"' in body
    filtered = client.get("/risks/?map=inherent&lik=4&imp=5").content.decode()
    assert "Alpha" in filtered and "Beta" in filtered and "Gamma" not in filtered
    assert "hm-selected" in filtered
