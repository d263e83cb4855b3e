"""The hazmat decision table for returns: one row per hazmat class (data only, read by `hazmat`).

Returns are shipped by shoppers who cannot be trained shippers, so the table is stricter than the
carriers' own rules: anything battery-powered, pressurised, flammable or corrosive travels by ground
only and goes to a node certified for hazmat handling. Each row: class, allowed modes, required node
capability (None = any node), the regulation it follows, packaging instructions, label marks.
"""

from __future__ import annotations

from typing import Final

# (hazmat_class, allowed_modes, node_capability, regulation, packaging, marks)
Row = tuple[str, tuple[str, ...], str | None, str, tuple[str, ...], tuple[str, ...]]

HAZMAT_TABLE: Final[tuple[Row, ...]] = (
    ("none", ("ground", "air"), None, "ordinary goods", (), ()),
    (
        "lithium_ion",
        ("ground",),
        "hazmat",
        "UN3480 lithium ion batteries (packed alone)",
        (
            "Tape over the battery terminals or put each battery in its own plastic bag.",
            "Pack in a strong rigid box with cushioning so the battery cannot move.",
            "Do not send a damaged, swollen or recalled battery: contact support instead.",
        ),
        ("LITHIUM BATTERY UN3480", "GROUND ONLY - NOT FOR AIR TRANSPORT"),
    ),
    (
        "lithium_ion_in_equipment",
        ("ground",),
        "hazmat",
        "UN3481 lithium ion batteries contained in equipment",
        (
            "Switch the device off and protect it against being switched on in transit.",
            "Pack the device in a strong rigid box with cushioning.",
            "Do not send a damaged, swollen or recalled device: contact support instead.",
        ),
        ("LITHIUM BATTERY UN3481", "GROUND ONLY - NOT FOR AIR TRANSPORT"),
    ),
    (
        "lithium_ion_with_equipment",
        ("ground",),
        "hazmat",
        "UN3481 lithium ion batteries packed with equipment",
        (
            "Tape over the spare battery's terminals or put it in its own plastic bag.",
            "Pack the battery and the device so neither can move or touch the other.",
            "Do not send a damaged, swollen or recalled battery: contact support instead.",
        ),
        ("LITHIUM BATTERY UN3481", "GROUND ONLY - NOT FOR AIR TRANSPORT"),
    ),
    (
        "lithium_metal",
        ("ground",),
        "hazmat",
        "UN3090 lithium metal batteries",
        (
            "Tape over the battery terminals or put each battery in its own plastic bag.",
            "Pack in a strong rigid box with cushioning so the battery cannot move.",
        ),
        ("LITHIUM BATTERY UN3090", "GROUND ONLY - NOT FOR AIR TRANSPORT"),
    ),
    (
        "aerosol",
        ("ground",),
        "hazmat",
        "UN1950 aerosols, limited quantity",
        (
            "Fit the cap over the valve so it cannot be pressed.",
            "Seal each can in a plastic bag and pack it upright with cushioning.",
        ),
        ("LIMITED QUANTITY", "AEROSOLS UN1950", "GROUND ONLY - NOT FOR AIR TRANSPORT"),
    ),
    (
        "flammable_liquid",
        ("ground",),
        "hazmat",
        "Class 3 flammable liquids, limited quantity",
        (
            "Close the cap tightly and seal it with tape.",
            "Seal the bottle in a plastic bag with absorbent material and pack it upright.",
        ),
        ("LIMITED QUANTITY", "FLAMMABLE LIQUID", "THIS WAY UP", "GROUND ONLY - NOT FOR AIR TRANSPORT"),
    ),
    (
        "corrosive",
        ("ground",),
        "hazmat",
        "Class 8 corrosives, limited quantity",
        (
            "Use the original leak-proof container, closed tightly and sealed with tape.",
            "Seal it in a plastic bag with absorbent material and pack it upright.",
        ),
        ("LIMITED QUANTITY", "CORROSIVE", "THIS WAY UP", "GROUND ONLY - NOT FOR AIR TRANSPORT"),
    ),
    (
        # Magnets are regulated for air only (they disturb aircraft compasses); any node may receive them.
        "magnetized",
        ("ground",),
        None,
        "Class 9 magnetized material (air only)",
        ("Pack the magnet in the middle of the box, at least 15 cm from every side.",),
        ("MAGNETIZED MATERIAL", "GROUND ONLY - NOT FOR AIR TRANSPORT"),
    ),
)
