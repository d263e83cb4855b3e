"""The demo merchant's product styles per category, from which the SKU catalogue is expanded."""

# ruff: noqa: E501
# (one style per line reads as a table; wrapping each across a dozen lines would hide the data)

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    """One product style; each (variant × size) combination becomes a SKU."""

    code: str
    name: str
    brand: str
    price: int  # list price in cents for the base variant and size
    cost_pct: int  # landed unit cost as a share of list price: margins differ a lot per category
    grams: int  # shipping weight including packaging, which is what carriers and scales see
    variants: tuple[str, ...]
    sizes: tuple[str, ...] = ()
    hazmat: str | None = None
    serialized: bool = False
    warranty: int | None = None
    returnable: bool = True
    tags: tuple[str, ...] = ()


LI_ION, LI_METAL, AEROSOL, FLAMMABLE = "lithium_ion", "lithium_metal", "aerosol", "flammable_liquid"


def _s(
    code: str,
    name: str,
    brand: str,
    price: int,
    cost_pct: int,
    grams: int,
    variants: str,
    sizes: str = "",
    *,
    hazmat: str | None = None,
    serial: bool = False,
    warranty: int | None = None,
    returnable: bool = True,
    tags: str = "",
) -> Style:
    """Compact constructor so each style fits on one readable line."""
    return Style(
        code=code,
        name=name,
        brand=brand,
        price=price,
        cost_pct=cost_pct,
        grams=grams,
        variants=tuple(variants.split()),
        sizes=tuple(sizes.split()),
        hazmat=hazmat,
        serialized=serial,
        warranty=warranty,
        returnable=returnable,
        tags=tuple(tags.split()),
    )


# fmt: off
MENS, WOMENS, UNISEX = "S M L XL", "XS S M L XL", "XS S M L XL XXL"
MENS_SHOE, WOMENS_SHOE = "080 085 090 095 100 105 110 115 120", "060 065 070 075 080 085 090 095 100"
HP, NW, FD, MW, ST, KA = "Harbor & Pine", "Northwind Outfitters", "Foundry Denim", "Marlowe", "Summit Trail", "Kestrel Athletics"
AF, IB, VO, LA, AL, NB, SK = "Aldon & Finch", "Ironside Boot Co.", "Voltaic", "Lumen Audio", "Aperture Labs", "Northbeam", "Skylark"
HH, CK, TW, AO, GB, SC, MC, LL = "Hearthstone Home", "Copperline Kitchen", "Tidewell", "Alder & Oak", "Glow Botanics", "Strand & Co.", "Maison Calloway", "Lacquer Lab"

# Apparel tops out at a few hundred dollars; swimwear and underwear carry "hygiene" but stay
# returnable (unworn, liner intact): whether that is allowed is the policy's call, not the catalogue's.
APPAREL: tuple[Style, ...] = (
    _s("1001", "Men's Merino Crew Sweater", HP, 8900, 38, 420, "NVY CHR OAT FST", MENS, tags="knitwear merino"),
    _s("1002", "Women's Cashmere-Blend Cardigan", HP, 11800, 36, 380, "CML BLK IVR ROS", WOMENS, tags="knitwear"),
    _s("1003", "Men's Organic Cotton Crew Tee", NW, 2400, 30, 190, "WHT BLK HGR NVY OLV", "S M L XL XXL", tags="tees"),
    _s("1004", "Women's Relaxed Linen Shirt", NW, 5900, 34, 230, "WHT SAG SKY", WOMENS, tags="shirts linen"),
    _s("1005", "Men's Slim Stretch Jeans", FD, 7900, 35, 680, "IND WBK", "W30 W32 W34 W36 W38", tags="denim"),
    _s("1006", "Women's High-Rise Straight Jeans", FD, 8900, 35, 620, "IND LTW BLK", "W24 W26 W28 W30 W32", tags="denim"),
    _s("1007", "Women's Wrap Midi Dress", MW, 9800, 32, 340, "TER NVF BLK", WOMENS, tags="dresses"),
    _s("1008", "Men's Packable Down Jacket", ST, 17900, 40, 650, "BLK NVY OLV", MENS, tags="outerwear"),
    _s("1009", "Women's Waterproof Rain Shell", ST, 14900, 40, 560, "SUN NVY SAG", WOMENS, tags="outerwear"),
    _s("1010", "Unisex Fleece Quarter-Zip", ST, 6900, 36, 410, "HGR FST CRM", UNISEX, tags="fleece"),
    _s("1011", "Men's Performance Running Shorts", KA, 3800, 30, 140, "BLK NVY", MENS, tags="activewear"),
    _s("1012", "Women's Seamless Leggings", KA, 6800, 28, 220, "BLK PLM SAG", WOMENS, tags="activewear"),
    _s("1013", "Men's Cotton Boxer Briefs (3-Pack)", NW, 3200, 25, 210, "BLK AST", MENS, tags="underwear hygiene"),
    _s("1014", "Women's One-Piece Swimsuit", MW, 8400, 30, 200, "BLK CRL NVY", WOMENS, tags="swimwear hygiene"),
    _s("1015", "Merino Hiking Socks (2-Pack)", ST, 2400, 30, 120, "CHR OLV", "M L", tags="socks merino"),
    _s("1016", "Lambswool Ribbed Beanie", HP, 3400, 30, 90, "CHR CML NVY RST", "OS", tags="accessories one_size"),
    _s("1017", "Wool-Blend Plaid Scarf", HP, 4900, 30, 180, "RDP GRP", "OS", tags="accessories one_size"),
    _s("1018", "Full-Grain Leather Belt", FD, 5800, 32, 260, "BRN BLK", "B30 B32 B34 B36 B38", tags="accessories leather"),
    _s("1019", "Kids' Graphic Hoodie", NW, 3900, 30, 300, "HGR NVY", "K06 K08 K10 K12 K14", tags="kids"),
    _s("1020", "Personalised Leather Card Holder", HP, 4500, 30, 80, "TAN BLK", "OS", returnable=False, tags="accessories one_size personalised"),
    _s("1021", "Women's Sequin Party Top", MW, 7800, 30, 240, "GLD BLK", WOMENS, returnable=False, tags="final_sale occasion"),
)

FOOTWEAR: tuple[Style, ...] = (
    _s("2001", "Men's Trail Running Shoe", KA, 13900, 42, 950, "SLT BLK FST", MENS_SHOE, tags="running"),
    _s("2002", "Women's Road Running Shoe", KA, 12900, 42, 820, "CRL WHT BLK", WOMENS_SHOE, tags="running"),
    _s("2003", "Men's Leather Court Sneaker", AF, 9800, 38, 1000, "WHT BLK", "080 090 100 110 120", tags="sneakers"),
    _s("2004", "Women's Canvas Low-Top Sneaker", AF, 5900, 30, 700, "WHT NVY RED", "060 070 080 090 100", tags="sneakers"),
    _s("2005", "Women's Waterproof Chelsea Boot", AF, 16900, 40, 1500, "BLK BRN", "060 070 080 090 100", tags="boots"),
    _s("2006", "Men's Leather Work Boot", IB, 18900, 42, 2100, "BRN WHE", "080 090 100 110 120 130", tags="boots"),
    _s("2007", "Women's Slide Sandal", MW, 4900, 30, 450, "TAN BLK WHT", "060 070 080 090 100", tags="sandals"),
    _s("2008", "Men's Sheepskin Slipper", HP, 7900, 38, 700, "CHE GRY", "080 090 100 110 120", tags="slippers"),
    _s("2009", "Kids' Light-Up Sneaker", KA, 4500, 32, 500, "PNK BLU", "C11 C12 C13 Y01 Y02", tags="kids sneakers"),
    _s("2010", "Women's Block-Heel Ankle Boot", MW, 13900, 38, 1300, "BLK TAU", "060 070 080 090 100", tags="boots"),
    _s("2011", "Men's Suede Desert Boot", AF, 12900, 40, 1200, "SND", "080 090 100 110 120", returnable=False, tags="boots final_sale"),
)

# Nearly every gadget carries a lithium-ion cell (UN3481 when packed with equipment), which is why
# returns routing cares; the tracker's coin cells are lithium metal, a separate dangerous-goods class.
ELECTRONICS: tuple[Style, ...] = (
    _s("3001", "Voltaic Pulse ANC Wireless Earbuds", VO, 14900, 55, 180, "GRA WHT NVY SND", hazmat=LI_ION, serial=True, warranty=12, tags="audio"),
    _s("3002", "Voltaic Pulse Lite Wireless Earbuds", VO, 7900, 52, 160, "BLK WHT LAV TEA", hazmat=LI_ION, serial=True, warranty=12, tags="audio"),
    _s("3003", "Lumen Audio Studio Over-Ear Headphones", LA, 29900, 52, 620, "BLK SIL SND", hazmat=LI_ION, serial=True, warranty=24, tags="audio"),
    _s("3004", "Lumen Audio Pocket Bluetooth Speaker", LA, 7900, 50, 480, "BLK TEA RED SAG", hazmat=LI_ION, serial=True, warranty=12, tags="audio"),
    _s("3005", "Voltaic Trek GPS Smartwatch 45 mm", VO, 29900, 58, 320, "BLK OLV SIL", hazmat=LI_ION, serial=True, warranty=12, tags="wearables"),
    _s("3006", "Voltaic Fit Activity Tracker", VO, 9900, 55, 150, "BLK ROS SAG", hazmat=LI_ION, serial=True, warranty=12, tags="wearables"),
    _s("3007", "Voltaic Slate 11-inch Tablet", VO, 49900, 68, 900, "128SIL 128GRA 256SIL 256GRA", hazmat=LI_ION, serial=True, warranty=12, tags="computing"),
    _s("3008", "Voltaic Aero 14 Laptop", VO, 119900, 74, 2600, "16512SIL 16512GRA 321TBGRA", hazmat=LI_ION, serial=True, warranty=24, tags="computing"),
    _s("3009", "Northbeam Glow 6-inch E-Reader", NB, 13900, 60, 350, "BLK SAG", hazmat=LI_ION, serial=True, warranty=12, tags="reading"),
    _s("3010", "Voltaic 20,000 mAh Power Bank", VO, 4900, 45, 480, "BLK WHT", hazmat=LI_ION, warranty=12, tags="charging"),
    _s("3011", "Aperture Labs 4K Action Camera", AL, 34900, 60, 520, "BLK", hazmat=LI_ION, serial=True, warranty=12, tags="cameras"),
    _s("3012", "Aperture Labs Spare Camera Battery (2-Pack)", AL, 3900, 40, 140, "BLK", hazmat=LI_ION, warranty=6, tags="cameras batteries"),
    _s("3013", "Skylark Mini 4K Camera Drone", SK, 44900, 62, 1200, "GRY WHT", hazmat=LI_ION, serial=True, warranty=12, tags="cameras drones"),
    _s("3014", "Voltaic Tag Bluetooth Item Tracker (4-Pack)", VO, 9900, 45, 150, "WHT BLK", hazmat=LI_METAL, serial=True, warranty=12, tags="smart_home"),
    _s("3015", "Northbeam Smart Video Doorbell", NB, 14900, 55, 700, "BLK SAT", hazmat=LI_ION, serial=True, warranty=12, tags="smart_home"),
    _s("3016", "Lumen Audio Smart Home Speaker", LA, 9900, 50, 1100, "CHR CHK SAG", serial=True, warranty=12, tags="audio smart_home"),
    _s("3017", "Lumen Audio 2.1 Soundbar with Subwoofer", LA, 34900, 52, 9500, "BLK", serial=True, warranty=24, tags="audio bulky"),
    _s("3018", "Voltaic Wireless Mechanical Keyboard", VO, 12900, 50, 1100, "GRA WHT", hazmat=LI_ION, serial=True, warranty=12, tags="computing"),
    _s("3019", "Voltaic Ergonomic Wireless Mouse", VO, 6900, 45, 250, "GRA WHT", hazmat=LI_ION, warranty=12, tags="computing"),
    _s("3020", "Northbeam Portable SSD", NB, 11900, 58, 120, "1TB 2TB 4TB", serial=True, warranty=36, tags="computing storage"),
    _s("3021", "Voltaic 65 W USB-C GaN Charger", VO, 3900, 40, 210, "WHT BLK", warranty=12, tags="charging"),
    _s("3022", "Voltaic 3-in-1 Wireless Charging Stand", VO, 7900, 40, 520, "WHT BLK", warranty=12, tags="charging"),
    _s("3023", "Braided USB-C to USB-C Cable 2 m", VO, 1900, 25, 90, "BLK WHT", warranty=12, tags="charging cables"),
    _s("3024", "Rugged Case for 6.1-inch Phones", NB, 2900, 20, 120, "BLK CLR NVY", tags="cases"),
)

HOME: tuple[Style, ...] = (
    _s("4001", "Percale Cotton Sheet Set", HH, 12900, 35, 1900, "WHT SAG SKY", "TW FL QN KG", tags="bedding"),
    _s("4002", "Waffle Bath Towel Set (4-Piece)", HH, 5900, 32, 1800, "WHT SAG CHR SND", tags="bath"),
    _s("4003", "Enameled Cast-Iron Dutch Oven 5.5 qt", CK, 14900, 40, 6300, "RED NVY CRM", tags="cookware heavy"),
    _s("4004", "Ceramic Nonstick Skillet 10-inch", CK, 4900, 35, 1400, "SAG CRM BLK", tags="cookware"),
    _s("4005", "Copperline High-Speed Blender", CK, 12900, 50, 4800, "BLK SIL", serial=True, warranty=24, tags="appliances"),
    _s("4006", "Copperline 12-Cup Programmable Coffee Maker", CK, 8900, 50, 3800, "BLK SIL", serial=True, warranty=12, tags="appliances"),
    _s("4007", "Tidewell Cordless Stick Vacuum", TW, 29900, 55, 5200, "GRY BLU", hazmat=LI_ION, serial=True, warranty=24, tags="appliances"),
    _s("4008", "Tidewell HEPA Air Purifier", TW, 19900, 50, 6500, "WHT", serial=True, warranty=24, tags="appliances bulky"),
    _s("4009", "Stoneware Dinner Plate Set (4)", HH, 4900, 30, 3200, "CRM SAG SLT", tags="tableware fragile"),
    _s("4010", "Glass Food Storage Set (10-Piece)", CK, 3900, 30, 4200, "CLR", tags="kitchen fragile"),
    _s("4011", "Linen Shade Table Lamp", AO, 8900, 40, 2600, "IVR SND", tags="lighting fragile"),
    _s("4012", "Soy Wax Candle 8 oz", AO, 3200, 25, 650, "CED FIG SEA", tags="fragrance"),
    _s("4013", "Reed Diffuser 200 ml", AO, 3400, 25, 600, "CED FIG", hazmat=FLAMMABLE, tags="fragrance"),
    _s("4014", "Odor-Eliminating Room Spray 10 oz", TW, 1200, 30, 380, "LIN CIT", hazmat=AEROSOL, tags="cleaning"),
    _s("4015", "Digital Kitchen Scale", CK, 2900, 35, 700, "WHT BLK", hazmat=LI_METAL, warranty=12, tags="kitchen"),
    _s("4016", "Hand-Tufted Wool Area Rug 5 x 8 ft", AO, 29900, 45, 9800, "IVR NVY RST", tags="rugs bulky"),
    _s("4017", "Chunky Knit Throw Blanket", HH, 7900, 35, 1700, "CRM CHR SAG", tags="decor"),
    _s("4018", "Woven Storage Baskets (Set of 3)", AO, 4900, 30, 1600, "NAT GRY", tags="storage"),
    _s("4019", "Down-Alternative Pillows (2-Pack)", HH, 6900, 30, 2000, "WHT", "PST PKG", tags="bedding hygiene"),
    _s("4020", "Personalised Waffle Bath Robe", HH, 8900, 35, 1200, "WHT SND", "SM LXL", returnable=False, tags="bath personalised"),
)

# Beauty is where "hygiene" really means non-returnable once opened, and where aerosols and
# alcohol-based fragrances (flammable liquids, UN1266) need ground-only, certified handling.
BEAUTY: tuple[Style, ...] = (
    _s("5001", "Hyaluronic Hydrating Serum", GB, 3800, 22, 150, "30ML 50ML", tags="skincare"),
    _s("5002", "Daily Moisturizer SPF 30", GB, 3200, 22, 180, "50ML 100ML", tags="skincare"),
    _s("5003", "Gentle Foaming Cleanser", GB, 2200, 20, 220, "150ML 250ML", tags="skincare"),
    _s("5004", "Retinol Night Cream", GB, 4600, 22, 160, "50ML", tags="skincare"),
    _s("5005", "Mineral Sunscreen Spray SPF 50", GB, 1800, 25, 250, "150ML", hazmat=AEROSOL, tags="skincare suncare"),
    _s("5006", "Volumizing Dry Shampoo", SC, 1800, 25, 260, "LGT DRK", hazmat=AEROSOL, tags="haircare"),
    _s("5007", "Strand & Co. Hairspray 10 oz", SC, 1600, 25, 380, "FLX XST", hazmat=AEROSOL, tags="haircare"),
    _s("5008", "Sulfate-Free Shampoo", SC, 2400, 20, 360, "FIN CUR DRY", tags="haircare"),
    _s("5009", "Cedar & Vetiver Eau de Parfum", MC, 9800, 20, 380, "50ML 100ML", hazmat=FLAMMABLE, tags="fragrance"),
    _s("5010", "Neroli Blanc Eau de Parfum", MC, 11200, 20, 380, "50ML 100ML", hazmat=FLAMMABLE, tags="fragrance"),
    _s("5011", "Gel-Effect Nail Polish", LL, 1200, 20, 60, "RBY BLS NOI SAG CRL", hazmat=FLAMMABLE, tags="nails"),
    _s("5012", "Acetone-Free Nail Polish Remover", LL, 900, 20, 260, "200ML", hazmat=FLAMMABLE, tags="nails"),
    _s("5013", "Satin Lipstick", MC, 2800, 18, 40, "RBY ROS NUD BRY MAU", returnable=False, tags="cosmetics hygiene"),
    _s("5014", "Lengthening Mascara", MC, 2600, 18, 40, "BLK BRN", returnable=False, tags="cosmetics hygiene"),
    _s("5015", "Rechargeable Sonic Toothbrush", GB, 7900, 40, 450, "WHT BLK", hazmat=LI_ION, warranty=24, returnable=False, tags="oral_care hygiene"),
    _s("5016", "Strand & Co. Ionic Hair Dryer 1875 W", SC, 12900, 45, 1100, "BLK ROS", serial=True, warranty=24, tags="hair_tools"),
    _s("5017", "Strand & Co. Ceramic Flat Iron", SC, 9900, 45, 900, "BLK", serial=True, warranty=24, tags="hair_tools"),
    _s("5018", "Deodorant Body Spray 150 ml", SC, 900, 25, 150, "FRS CED", hazmat=AEROSOL, tags="body"),
)

# Gift cards: sold at face value, never discounted, never returnable (a stored-value liability).
OTHER: tuple[Style, ...] = (_s("", "Gift Card", "", 0, 100, 30, "025 050 100", returnable=False, tags="gift_card"),)

# Display labels of variant codes (colours, shades, capacities, scents, face values).
VARIANT_LABELS: dict[str, str] = {
    "NVY": "Navy", "CHR": "Charcoal", "OAT": "Oatmeal", "FST": "Forest", "CML": "Camel", "BLK": "Black",
    "IVR": "Ivory", "ROS": "Rose", "WHT": "White", "HGR": "Heather Grey", "OLV": "Olive", "SAG": "Sage",
    "SKY": "Sky Blue", "IND": "Indigo", "WBK": "Washed Black", "LTW": "Light Wash", "TER": "Terracotta",
    "NVF": "Navy Floral", "SUN": "Sunflower", "PLM": "Plum", "AST": "Assorted", "CRL": "Coral", "RST": "Rust",
    "RDP": "Red Plaid", "GRP": "Grey Plaid", "BRN": "Brown", "TAN": "Tan", "GLD": "Gold", "SLT": "Slate",
    "RED": "Red", "WHE": "Wheat", "CHE": "Chestnut", "GRY": "Grey", "PNK": "Pink", "BLU": "Blue", "TAU": "Taupe",
    "SND": "Sand", "GRA": "Graphite", "LAV": "Lavender", "TEA": "Teal", "SIL": "Silver", "SAT": "Satin Nickel",
    "CHK": "Chalk", "CLR": "Clear", "CRM": "Cream", "NAT": "Natural",
    "128SIL": "128 GB, Silver", "128GRA": "128 GB, Graphite", "256SIL": "256 GB, Silver", "256GRA": "256 GB, Graphite",
    "16512SIL": "16 GB / 512 GB, Silver", "16512GRA": "16 GB / 512 GB, Graphite", "321TBGRA": "32 GB / 1 TB, Graphite",
    "1TB": "1 TB", "2TB": "2 TB", "4TB": "4 TB",
    "CED": "Cedar & Sage", "FIG": "Black Fig", "SEA": "Sea Salt", "LIN": "Clean Linen", "CIT": "Citrus Grove",
    "FRS": "Fresh", "30ML": "30 ml", "50ML": "50 ml", "100ML": "100 ml", "150ML": "150 ml", "200ML": "200 ml",
    "250ML": "250 ml", "LGT": "Light Tones", "DRK": "Dark Tones", "FLX": "Flexible Hold", "XST": "Extra Strong Hold",
    "FIN": "Fine Hair", "CUR": "Curly Hair", "DRY": "Dry Hair", "RBY": "Ruby", "BLS": "Blush", "NOI": "Noir",
    "NUD": "Nude", "BRY": "Berry", "MAU": "Mauve", "025": "$25", "050": "$50", "100": "$100",
}

# Size codes in ascending order within each family: the order is what makes "one size up" mean something.
SIZE_LABELS: dict[str, str] = {
    "XS": "XS", "S": "S", "M": "M", "L": "L", "XL": "XL", "XXL": "XXL",
    "W24": "24", "W26": "26", "W28": "28", "W30": "30", "W32": "32", "W34": "34", "W36": "36", "W38": "38",
    "B30": "30", "B32": "32", "B34": "34", "B36": "36", "B38": "38",
    "K06": "6", "K08": "8", "K10": "10", "K12": "12", "K14": "14",
    "C11": "11C", "C12": "12C", "C13": "13C", "Y01": "1Y", "Y02": "2Y",
    "060": "6", "065": "6.5", "070": "7", "075": "7.5", "080": "8", "085": "8.5", "090": "9", "095": "9.5",
    "100": "10", "105": "10.5", "110": "11", "115": "11.5", "120": "12", "130": "13",
    "TW": "Twin", "FL": "Full", "QN": "Queen", "KG": "King", "PST": "Standard", "PKG": "King",
    "SM": "S/M", "LXL": "L/XL", "OS": "One Size",
}

# Price steps over the style's base price, in cents: capacity tiers, bigger bottles, bed sizes.
VARIANT_PRICE: dict[tuple[str, str], int] = {
    ("3007", "256SIL"): 10000, ("3007", "256GRA"): 10000, ("3008", "321TBGRA"): 50000,
    ("3020", "2TB"): 8000, ("3020", "4TB"): 22000, ("5001", "50ML"): 1800, ("5002", "100ML"): 2000,
    ("5003", "250ML"): 800, ("5009", "100ML"): 4500, ("5010", "100ML"): 5000,
    ("", "025"): 2500, ("", "050"): 5000, ("", "100"): 10000,
}
SIZE_PRICE: dict[tuple[str, str], int] = {
    ("4001", "TW"): -3000, ("4001", "FL"): -1500, ("4001", "KG"): 2000, ("4019", "PKG"): 1000,
}
# fmt: on

STYLES: dict[str, tuple[Style, ...]] = {
    "apparel": APPAREL,
    "footwear": FOOTWEAR,
    "electronics": ELECTRONICS,
    "home": HOME,
    "beauty": BEAUTY,
    "other": OTHER,
}
SKU_PREFIX: dict[str, str] = {
    "apparel": "AP",
    "footwear": "FW",
    "electronics": "EL",
    "home": "HM",
    "beauty": "BT",
    "other": "GC",
}
