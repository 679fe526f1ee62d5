"""Hand-written bilingual vocabulary of the synthetic world: categories, attributes, modifiers.

Every entry is an (English, Chinese) pair of surface forms of one concept. Brands and model numbers
are generated from the seed (``catalog.py``); everything here is fixed, so the concepts a model must
learn are the same for every seed.
"""

from __future__ import annotations

# (en, zh, zh alias used by the OpenBG-like held-out taxonomy)
COARSE: list[tuple[str, str, str]] = [
    ("Clothing", "服装", "服饰内衣"),
    ("Shoes and Bags", "鞋包", "鞋靴箱包"),
    ("Electronics", "数码电器", "手机数码"),
    ("Home and Kitchen", "家居厨具", "家居日用"),
    ("Beauty", "美妆个护", "美容护肤"),
    ("Food and Drinks", "食品饮料", "休闲零食"),
    ("Sports and Outdoors", "运动户外", "户外运动"),
    ("Baby and Toys", "母婴玩具", "母婴用品"),
]

# per coarse category: fine categories as (en product word, zh product word)
FINE: list[list[tuple[str, str]]] = [
    [("Tee", "T恤"), ("Dress", "连衣裙"), ("Jeans", "牛仔裤"), ("Hoodie", "卫衣"),
     ("Jacket", "夹克"), ("Sweater", "毛衣"), ("Skirt", "半身裙"), ("Shirt", "衬衫")],
    [("Sneakers", "运动鞋"), ("Boots", "靴子"), ("Sandals", "凉鞋"), ("Slippers", "拖鞋"),
     ("Backpack", "双肩包"), ("Handbag", "手提包"), ("Wallet", "钱包"), ("Suitcase", "行李箱")],
    [("Headphones", "耳机"), ("Phone Case", "手机壳"), ("Power Bank", "充电宝"), ("Keyboard", "键盘"),
     ("Mouse", "鼠标"), ("Smart Watch", "智能手表"), ("Speaker", "音箱"), ("Charger", "充电器")],
    [("Frying Pan", "平底锅"), ("Kettle", "电水壶"), ("Mug", "马克杯"), ("Pillow", "枕头"),
     ("Bed Sheet", "床单"), ("Storage Box", "收纳盒"), ("Desk Lamp", "台灯"), ("Towel", "毛巾")],
    [("Lipstick", "口红"), ("Face Cream", "面霜"), ("Shampoo", "洗发水"), ("Sunscreen", "防晒霜"),
     ("Perfume", "香水"), ("Face Mask", "面膜"), ("Body Lotion", "身体乳"), ("Toothbrush", "牙刷")],
    [("Green Tea", "绿茶"), ("Coffee Beans", "咖啡豆"), ("Chocolate", "巧克力"), ("Nuts", "坚果"),
     ("Cookies", "饼干"), ("Honey", "蜂蜜"), ("Instant Noodles", "方便面"), ("Dried Fruit", "果干")],
    [("Yoga Mat", "瑜伽垫"), ("Dumbbell", "哑铃"), ("Tent", "帐篷"), ("Water Bottle", "运动水壶"),
     ("Running Shorts", "跑步短裤"), ("Bike Helmet", "骑行头盔"), ("Jump Rope", "跳绳"), ("Fishing Rod", "鱼竿")],
    [("Diapers", "纸尿裤"), ("Baby Bottle", "奶瓶"), ("Stroller", "婴儿车"), ("Building Blocks", "积木"),
     ("Plush Toy", "毛绒玩具"), ("Puzzle", "拼图"), ("Toy Car", "玩具车"), ("Baby Carrier", "婴儿背带")],
]

# attribute type -> (en name, zh name used by the MEPAVE-like taxonomy)
ATTR_NAMES: dict[str, tuple[str, str]] = {
    "color": ("color", "颜色"), "material": ("material", "材质"), "size": ("size", "尺码"),
    "style": ("style", "风格"), "season": ("season", "季节"), "pattern": ("pattern", "图案"),
    "gender": ("gender", "适用人群"), "connectivity": ("connectivity", "连接方式"),
    "battery": ("battery", "电池容量"), "feature": ("feature", "功能"), "capacity": ("capacity", "容量"),
    "skin_type": ("skin type", "肤质"), "scent": ("scent", "香型"), "effect": ("effect", "功效"),
    "weight": ("weight", "重量"), "flavor": ("flavor", "口味"), "origin": ("origin", "产地"),
    "packaging": ("packaging", "包装"), "shelf_life": ("shelf life", "保质期"),
    "age_group": ("age group", "适用年龄"), "safety": ("safety", "安全标准"),
}

V = list[tuple[str, str]]
ATTR_VALUES: dict[str, V] = {
    "color": [("Red", "红色"), ("Black", "黑色"), ("White", "白色"), ("Navy Blue", "藏青色"), ("Pink", "粉色"),
              ("Grey", "灰色"), ("Green", "绿色"), ("Khaki", "卡其色"), ("Purple", "紫色"), ("Beige", "米色")],
    "material": [("Cotton", "纯棉"), ("Linen", "亚麻"), ("Polyester", "涤纶"), ("Denim", "牛仔布"),
                 ("Wool", "羊毛"), ("Silk", "真丝")],
    "size": [("S", "小码"), ("M", "中码"), ("L", "大码"), ("XL", "加大码"), ("XXL", "特大码")],
    "style": [("Casual", "休闲"), ("Vintage", "复古"), ("Slim Fit", "修身"), ("Oversized", "宽松"),
              ("Korean Style", "韩版"), ("Minimalist", "简约")],
    "season": [("Summer", "夏季"), ("Winter", "冬季"), ("Spring", "春季"), ("Autumn", "秋季"),
               ("All Season", "四季")],
    "pattern": [("Striped", "条纹"), ("Plaid", "格子"), ("Floral", "碎花"), ("Solid", "纯色"), ("Printed", "印花")],
    "gender": [("Men", "男士"), ("Women", "女士"), ("Unisex", "男女同款"), ("Kids", "儿童")],
    "connectivity": [("Bluetooth", "蓝牙"), ("Wireless", "无线"), ("Wired", "有线"), ("USB C", "USB接口")],
    "battery": [("5000mAh", "5000毫安"), ("10000mAh", "10000毫安"), ("20000mAh", "20000毫安"), ("300mAh", "300毫安")],
    "feature": [("Noise Cancelling", "降噪"), ("Waterproof", "防水"), ("Fast Charging", "快充"),
                ("Backlit", "背光"), ("Ultra Thin", "超薄")],
    "capacity": [("500ml", "500毫升"), ("1.5L", "1.5升"), ("20L", "20升"), ("30L", "30升")],
    "skin_type": [("Dry Skin", "干性肌肤"), ("Oily Skin", "油性肌肤"), ("Sensitive Skin", "敏感肌"),
                  ("All Skin Types", "所有肤质")],
    "scent": [("Rose", "玫瑰"), ("Lavender", "薰衣草"), ("Citrus", "柑橘"), ("Unscented", "无香")],
    "effect": [("Moisturizing", "保湿"), ("Whitening", "美白"), ("Anti Aging", "抗衰老"), ("Oil Control", "控油")],
    "weight": [("250g", "250克"), ("500g", "500克"), ("1kg", "1公斤"), ("2kg", "2公斤"), ("5kg", "5公斤")],
    "flavor": [("Original", "原味"), ("Spicy", "香辣"), ("Sweet", "甜味"), ("Matcha", "抹茶"), ("Salted", "咸味")],
    "origin": [("Yunnan", "云南"), ("Fujian", "福建"), ("Xinjiang", "新疆"), ("Japan", "日本"), ("Belgium", "比利时")],
    "packaging": [("Gift Box", "礼盒装"), ("Bag", "袋装"), ("Can", "罐装"), ("Bulk", "散装")],
    "shelf_life": [("6 Months", "6个月"), ("12 Months", "12个月"), ("18 Months", "18个月")],
    "age_group": [("0 to 6 Months", "0至6个月"), ("1 to 3 Years", "1至3岁"), ("3 Years Plus", "3岁以上")],
    "safety": [("BPA Free", "无双酚A"), ("Non Toxic", "无毒"), ("Safety Certified", "认证安全")],
}

# per coarse category: its attribute schema and any values that differ from the defaults
SCHEMA: list[tuple[list[str], dict[str, V]]] = [
    (["color", "material", "size", "style", "season", "pattern"], {}),
    (["color", "material", "style", "season", "gender", "capacity"],
     {"material": [("Leather", "真皮"), ("Canvas", "帆布"), ("Nylon", "尼龙"), ("Suede", "麂皮")],
      "capacity": [("10L", "10升"), ("20L", "20升"), ("30L", "30升"), ("40L", "40升")]}),
    (["color", "material", "connectivity", "battery", "feature"],
     {"material": [("Aluminum", "铝合金"), ("Plastic", "塑料"), ("Silicone", "硅胶"), ("Tempered Glass", "钢化玻璃")]}),
    (["color", "material", "capacity", "size", "style"],
     {"material": [("Stainless Steel", "不锈钢"), ("Ceramic", "陶瓷"), ("Bamboo", "竹制"), ("Cast Iron", "铸铁"),
                   ("Cotton", "纯棉")],
      "size": [("Small", "小号"), ("Medium", "中号"), ("Large", "大号")]}),
    (["capacity", "skin_type", "scent", "effect", "gender"],
     {"capacity": [("30ml", "30毫升"), ("50ml", "50毫升"), ("100ml", "100毫升"), ("200ml", "200毫升")]}),
    (["weight", "flavor", "origin", "packaging", "shelf_life"], {}),
    (["color", "material", "size", "weight", "gender"],
     {"material": [("Nylon", "尼龙"), ("TPE", "TPE材质"), ("Neoprene", "氯丁橡胶"), ("Carbon Fiber", "碳纤维")],
      "size": [("Small", "小号"), ("Medium", "中号"), ("Large", "大号")]}),
    (["age_group", "material", "color", "size", "safety"],
     {"material": [("Food Grade Silicone", "食品级硅胶"), ("Cotton", "纯棉"), ("ABS Plastic", "ABS塑料"),
                   ("Wood", "木质")],
      "size": [("Small", "小号"), ("Medium", "中号"), ("Large", "大号")]}),
]


def values_for(coarse: int, attr: str) -> V:
    return SCHEMA[coarse][1].get(attr) or ATTR_VALUES[attr]


# Title modifiers: the training pool and a disjoint pool reserved for held-out sources.
MODIFIERS_TRAIN = {
    "en": ["New", "Hot Sale", "Premium", "Official", "Best Seller", "Limited Edition", "Lightweight",
           "Durable", "Portable", "Classic"],
    "zh": ["新款", "热卖", "正品", "官方", "爆款", "限量版", "轻便", "经典", "加厚", "百搭"],
}
MODIFIERS_HELDOUT = {
    "en": ["Brand New", "Genuine", "Top Rated", "Flagship", "Deluxe", "Authentic"],
    "zh": ["顺丰直发", "旗舰店", "网红", "特价", "专柜款", "明星推荐"],
}

# Syllables and characters for seeded brand names.
BRAND_SYLLABLES = ["ka", "lo", "mi", "ra", "ven", "tor", "su", "na", "zen", "bo", "li", "qua", "dex", "mo",
                   "ri", "fa", "vo", "ty", "xan", "pel", "or", "in", "sa", "ku", "el", "ma", "no", "ter"]
BRAND_CHARS = "凯洛米拉文托苏娜禅博丽夸德莫瑞法沃泰轩佩欧因萨库艾玛诺特雅琪朗恒锐森悦宏晨"
