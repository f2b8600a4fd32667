"""QR helpers: the matrix is a valid QR grid and the SVG is safe to inline in HTML."""
import xml.etree.ElementTree as ET

from shared.qr import QUIET_ZONE, qr_matrix, qr_svg

SVG_NS = "{http://www.w3.org/2000/svg}"
URL = "http://192.168.1.10:5000/t/eyJ0aWNrZXQiOjF9.abc-DEF_123"


def test_matrix_is_square_with_odd_side_of_at_least_21():
    matrix = qr_matrix(URL)
    side = len(matrix)
    assert side >= 21 and side % 2 == 1
    assert all(len(row) == side for row in matrix)
    assert all(isinstance(cell, bool) for row in matrix for cell in row)


def test_matrix_has_no_border_so_finder_pattern_starts_at_the_corner():
    matrix = qr_matrix("A-001")
    assert matrix[0][:7] == [True] * 7
    assert matrix[0][7] is False


def test_svg_is_well_formed_and_accessible():
    svg = qr_svg(URL, size_px=200)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    assert root.get("role") == "img"
    assert root.get("shape-rendering") == "crispEdges"
    assert root.get("width") == "200"
    side = len(qr_matrix(URL)) + 2 * QUIET_ZONE
    assert root.get("viewBox") == f"0 0 {side} {side}"
    assert root.find(f"{SVG_NS}title").text == "QR code"
    assert root.find(f"{SVG_NS}rect").get("fill") == "#fff"
    paths = root.findall(f"{SVG_NS}path")
    assert len(paths) == 1
    assert paths[0].get("d").startswith(f"M{QUIET_ZONE} {QUIET_ZONE}")


def test_svg_title_is_escaped():
    title = '<script>alert("x")</script> & more'
    svg = qr_svg(URL, title=title)
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    root = ET.fromstring(svg)
    assert root.find(f"{SVG_NS}title").text == title
    assert root.get("aria-label") == title
