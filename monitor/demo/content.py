"""Chinese text pools for the demo county: unit names, column names, item titles.

Titles follow the patterns of real county portals so extraction and category inference meet
realistic text (书名号, 〔〕 document numbers, long titles, characters outside GB2312).
"""
from __future__ import annotations

import random
from datetime import date

COUNTY = "衡山县"

#: (column name, path slug) in the order a unit's navigation lists them.
COLUMN_POOL: tuple[tuple[str, str], ...] = (
    ("工作动态", "gzdt"), ("通知公告", "tzgg"), ("政策文件", "zcwj"), ("政策解读", "zcjd"),
    ("人事信息", "rsxx"), ("规划计划", "ghjh"), ("财政预决算", "czyjs"), ("政府信息公开年报", "zfxxgknb"),
    ("政府信息公开指南", "zfxxgkzn"), ("公示公告", "gsgg"), ("机构职能", "jgzn"), ("工作要闻", "gzyw"),
    ("招标采购", "zbcg"), ("人事任免", "rsrm"), ("统计信息", "tjxx"), ("规范性文件", "gfxwj"),
    ("政府信息公开制度", "zfxxgkzd"), ("重大行政决策", "zdxzjc"), ("部门预算", "bmys"), ("建议提案办理", "jytabl"),
    ("乡村振兴", "xczx"), ("双随机一公开", "ssjygk"), ("法定主动公开内容", "fdzdgknr"),
)

#: Extra departments and townships beyond the scenario units: (id, name, type).
EXTRA_UNITS: tuple[tuple[str, str, str], ...] = (
    ("zrzyj", "衡山县自然资源局", "department"), ("jtysj", "衡山县交通运输局", "department"),
    ("slj", "衡山县水利局", "department"), ("mzj", "衡山县民政局", "department"),
    ("wlgtj", "衡山县文化旅游广电体育局", "department"), ("scjgj", "衡山县市场监督管理局", "department"),
    ("yjglj", "衡山县应急管理局", "department"), ("sfj", "衡山县司法局", "department"),
    ("tjj", "衡山县统计局", "department"), ("swj", "衡山县商务局", "department"),
    ("tyjrswj", "衡山县退役军人事务局", "department"), ("ybj", "衡山县医疗保障局", "department"),
    ("lyj", "衡山县林业局", "department"), ("zfb", "衡山县人民政府办公室", "government"),
    ("xzz", "萱洲镇人民政府", "township"), ("ftpx", "福田铺乡人民政府", "township"),
    ("lpx", "岭坡乡人民政府", "township"), ("gtx", "贯塘乡人民政府", "township"),
    ("cjz", "长江镇人民政府", "township"), ("xqz", "新桥镇人民政府", "township"),
    ("yhx", "永和乡人民政府", "township"), ("dhz", "东湖镇人民政府", "township"),
    ("wfx", "望峰乡人民政府", "township"), ("jdx", "江东乡人民政府", "township"),
    ("sgx", "师古乡人民政府", "township"), ("mjz", "马迹镇人民政府", "township"),
)
TOWNS = ("开云镇", "白果镇", "店门镇", "萱洲镇", "福田铺乡", "岭坡乡", "贯塘乡", "长江镇", "新桥镇", "永和乡",
         "东湖镇", "望峰乡", "江东乡", "师古乡", "马迹镇")
#: Township offices, for synthetic units when a benchmark asks for more units than exist.
TOWN_OFFICES = (("czs", "财政所"), ("nyzx", "农业综合服务中心"), ("shzx", "社会事务综合服务中心"),
                ("tyjr", "退役军人服务站"), ("czjs", "村镇建设站"), ("wwzx", "文化综合服务站"),
                ("ldbz", "劳动保障事务所"), ("zhzf", "综合行政执法大队"), ("pcs", "派出所"),
                ("wsy", "卫生院"), ("zxx", "中心学校"), ("gdz", "供电所"), ("gts", "自然资源所"),
                ("scjgs", "市场监督管理所"))

CONTACTS = ("刘敏", "王芳", "陈志强", "李娟", "张伟", "周丽华", "谭建军", "罗海燕", "彭晓东", "曾红梅",
            "旷立新", "欧阳婷", "文俊", "邓淑芬", "肖勇")
#: Names with characters outside GB2312 (in GBK/GB18030): a GB2312 decoder fails on them.
RARE_NAMES = ("王镕", "李堃", "张喆")

TOPICS = ("安全生产", "森林防火", "防汛抗旱", "农村人居环境整治", "优化营商环境", "文明城市创建", "耕地保护",
          "禁毒宣传", "消防安全", "食品安全", "电信网络诈骗防范", "“一件事一次办”改革", "高标准农田建设",
          "城乡居民医保征缴", "生态环境保护督察整改", "根治欠薪", "普法宣传", "河长制", "燃气安全",
          "农村自建房安全排查", "秸秆禁烧", "义务教育控辍保学", "就业帮扶", "政务公开")
CAMPAIGNS = ("我为群众办实事", "学习贯彻党的二十届四中全会精神", "万名干部进万家", "政务服务提质增效")


def season(day: date) -> str:
    return {12: "冬季", 1: "冬季", 2: "冬季", 3: "春季", 4: "春季", 5: "春季", 6: "夏季", 7: "夏季",
            8: "夏季"}.get(day.month, "秋冬季" if day.month == 11 else "秋季")


_TEMPLATES: dict[str, tuple[str, ...]] = {
    "dynamic": ("{short}召开{topic}工作推进会", "{county}{topic}现场观摩活动在{town}举行",
                "{short}开展“{campaign}”主题党日活动", "{person}到{town}调研{topic}工作",
                "{short}{topic}工作简报（{y}年第{n}期）"),
    "notice": ("关于做好{y}年{season}{topic}工作的通知", "关于开展{topic}专项检查的通知",
               "{short}关于{topic}有关事项的公示", "关于{y}年度{topic}项目拟安排名单的公示", "关于{topic}工作的通告"),
    "policy": ("{county}人民政府办公室关于印发《{county}{topic}实施方案》的通知",
               "衡政办发〔{y}〕{n}号 关于进一步加强{topic}工作的意见",
               "《{county}{topic}管理办法》政策解读", "图解：{county}{topic}三年行动计划"),
    "personnel": ("{county}{y}年{short}公开招聘工作人员公告", "关于{person}等同志职务任免的通知",
                  "{y}年{short}拟提拔干部任前公示"),
    "planning": ("{short}{y}年工作计划", "{short}{y}年部门预算公开", "{short}{prev}年部门决算公开",
                 "{short}{y}年上半年工作总结", "{county}“十五五”{topic}专项规划"),
    "static": ("{unit}政府信息公开指南（{y}年修订）", "{unit}主要职责和内设机构", "{unit}政府信息公开工作制度"),
}


def item_title(rng: random.Random, category: str, unit_name: str, day: date, rare: bool = False) -> str:
    """A plausible title for an item of `category` published on `day` by `unit_name`; `rare`
    puts a name outside GB2312 into it."""
    person = rng.choice(RARE_NAMES) if rare else rng.choice(CONTACTS)
    template = rng.choice(_TEMPLATES.get(category, _TEMPLATES["dynamic"]))
    title = template.format(
        county=COUNTY, unit=unit_name, short=unit_name.removeprefix(COUNTY).removesuffix("人民政府"),
        topic=rng.choice(TOPICS), town=rng.choice(TOWNS), campaign=rng.choice(CAMPAIGNS), person=person,
        y=day.year, prev=day.year - 1, n=rng.randint(1, 48), season=season(day))
    return title if not rare or person in title else f"{title}（联系人：{person}）"


def report_title(unit_name: str, year: int) -> str:
    return f"{unit_name}{year}年政府信息公开工作年度报告"
