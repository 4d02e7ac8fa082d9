"""What the pages call the codes of the contract and the app, in Chinese: statuses, categories,
roles, figure names and form fields (the code stays in a tooltip or the value)."""

STATUS = {"live": "生效中", "scheduled": "待生效", "superseded": "已被取代", "retired": "已停用"}
CATEGORY = {"credit_card": "信用卡", "loan": "贷款", "wealth": "理财", "fee_rule": "收费标准", "deposit": "存款",
            "service": "服务", "script": "话术", "disclosure": "风险揭示"}
ROLE = {"agent": "坐席", "editor": "编辑", "evaluator": "评测", "qa": "质检",
        "integration": "系统对接", "admin": "管理员"}
FIGURE = {"accuracy": "准确率", "answerable_accuracy": "可回答题准确率", "unanswerable_accuracy": "不可回答题准确率",
          "disclosure_recall": "风险揭示召回率", "citation_precision": "引用准确率", "latency_p50_ms": "延迟 p50",
          "latency_p95_ms": "延迟 p95", "hit@1": "首位命中率", "hit@3": "前三命中率", "hit@5": "前五命中率",
          "mrr": "倒数排名均值 MRR"}
FIELD = {"doc_id": "文档编号", "title": "标题", "category": "类别", "version": "版本", "products": "产品",
         "disclosures": "风险揭示", "effective_from": "生效日期", "effective_to": "失效日期",
         "risk_level": "风险等级", "intents": "话术场景", "body": "正文", "front matter": "文件开头的元数据",
         "metadata": "元数据", "file": "文件"}
FINDING = {"no_greeting": "缺开场问候", "no_closing": "缺结束语", "identity_not_verified": "未核实身份",
           "wrong_figure": "数字错误", "missing_disclosure": "未宣读风险揭示", "forbidden_phrase": "禁语",
           "complaint_step_missing": "投诉处理缺步骤", "escalation_missed": "未升级", "figure_right": "数字正确",
           "disclosure_read": "已宣读风险揭示"}
KINDS = {"finding": FINDING, "status": STATUS, "category": CATEGORY, "role": ROLE, "figure": FIGURE, "field": FIELD}


def zh(code, kind: str) -> str:
    """The Chinese name of a code, or the code itself when it has none."""
    return KINDS[kind].get(code, code) if code is not None else ""
