#!/usr/bin/env python3
"""make_dept.py -- a department batch for the print-run tests.

    make_dept.py N OUT.xml      N employees of 客户服务部, totals spread over
                                the grades, three raters, every 37th without
                                an evaluator (the fallback group)

The employees' figures follow from their one KPI score (no rules), so
each sheet is small and the summary's figures are easy to check."""
import sys

HEAD = '''<?xml version="1.0" encoding="UTF-8"?>
<batch version="1" template="kefu-monthly" status="final">
  <company>华东云联科技有限公司</company>
  <department>客户服务部</department>
  <period kind="month" year="2026" month="10" start="2026-10-01" end="2026-10-31">2026年10月</period>
  <document-prefix>KF-202610</document-prefix>
  <scheme name="dept-test" version="1">
    <grades>
      <grade name="优秀" min="90" max-share="20"/>
      <grade name="良好" min="80"/>
      <grade name="合格" min="70"/>
      <grade name="待改进" min-share="5"/>
    </grades>
    <bonus type="proportional"/>
  </scheme>
'''
SURNAMES = "张李王刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛",
         "明", "超", "秀英", "霞", "平", "刚", "桂英"]
RATERS = ["李建国", "高振华", "周海燕"]


def employee(i, score, name, evaluator, kpi_weight=100):
    ev = f"<evaluator>{evaluator}</evaluator>" if evaluator else "<evaluator></evaluator>"
    return f'''  <employee id="KF{i:03d}">
    <name>{name}</name>
    <position>客服专员</position>
    <superior>{evaluator or "王秀英"}</superior>
    {ev}
    <reviewer>王秀英</reviewer>
    <kpis>
      <category name="工作业绩" weight="{kpi_weight}">
        <kpi id="k1"><indicator>综合业绩</indicator><weight>{kpi_weight}</weight><rule>按月度综合业绩评分。</rule><score>{score}</score></kpi>
      </category>
    </kpis>
    <bonus base="{1800 + (i % 3) * 100}.00"/>
    <signatures>
      <signature role="被考核人" name="" date=""/>
      <signature role="考核人" name="" date=""/>
      <signature role="复核人" name="" date=""/>
    </signatures>
  </employee>
'''


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    parts = [HEAD]
    for i in range(1, n + 1):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
        score = 60 + (i * 37) % 4100 / 100  # 60.00 .. 100.99, ties now and then
        ev = "" if i % 37 == 0 else RATERS[i % 3]
        parts.append(employee(i, f"{min(score, 100):.2f}", name, ev))
    parts.append("</batch>\n")
    with open(out, "w", encoding="utf-8") as f:
        f.write("".join(parts))


if __name__ == "__main__":
    main()
