"""The paper's six-part instruction: task description, prompt, input, candidate labels (optional),
output constraint (optional), output.

Two prompt layouts (``data.layout``), each rendered by one function that training rows, held-out rows
and the published suite loader all use, so a model is evaluated in the layout it was trained on:

``ours`` (the synthetic world's default)::

    Task: <task description>                 (when task_info)
    Instruction: <prompt>
    Input: <input>
    Candidate labels: a, b, c                (when the instance has candidates)
    Output constraint: <constraint>          (when output_constraint)
    ### Response:
    <- the prompt ends with a newline here

``published`` (the paper profile's and the open world's default; the layout of the 13 published test
folders, ``published_prompt``)::

    Below is an instruction that describes the <task description> task. Write a response that appropriately completes the request.
    ### Instruction:
    <input>
    <prompt> Candidate labels: a, b, c Output constraint: <constraint> 
    ### Response:
    <- no newline after the marker, as the published test prompts

(the last instruction line ends with " " before the marker, as the published ``test_prompt`` texts do;
without task_info the head reads "... describes a task. ..."). The training target is the output alone. Part headers follow the prompt language; the input and
the candidate labels are the data's own text and never change with the variant.

Prompt wording. Each task kind has one core request per language (``KIND_TEXT``); a prompt is that
request set in a *frame*, about a *data noun* ("the product title", "this listing's title" ...;
a kind whose input is not the data's text, such as attributes -> title, has nouns of its own).
``narrow`` uses frame 0 and the generic noun ("the input") for every dataset: exactly one prompt per
task kind. ``diverse``
gives each dataset its own noun and its own 3 of the 5 frames (chosen by a hash of the dataset name),
so every dataset has >= 3 differently worded prompts, and the same kind reads differently in
different datasets. Held-out rows always use ``EVAL_VARIANT``: the dataset's first diverse prompt, in
English, with task information and output constraint.
"""

from __future__ import annotations

import functools
import hashlib
import random
import re
from dataclasses import dataclass

from ecomlib.errors import ConfigError, DataError
from ecomlib.schema import LABEL_SEP, NONE_ANSWER, PROMPT_END, RESPONSE_MARKER, TASK_KINDS
from ecomlib.seeding import stable_seed

LAYOUTS = ("ours", "published")
# The published suite's head (identical in every scorer class of the reference); see published_prompt.
PUBLISHED_HEAD = (
    "Below is an instruction that describes the {defi} task. "
    "Write a response that appropriately completes the request.\n"
)
PUBLISHED_HEAD_NO_TASK = ("Below is an instruction that describes a task. "
                          "Write a response that appropriately completes the request.\n")
PUBLISHED_INSTRUCTION = "### Instruction:\n"
PUBLISHED_END = " \n" + RESPONSE_MARKER

# kind -> {lang: (task description, core request)}
KIND_TEXT: dict[str, dict[str, tuple[str, str]]] = {
    "ner": {"en": ("Named entity recognition on product text", "find the entities of each candidate type"),
            "zh": ("商品文本命名实体识别", "找出每个候选类型的实体")},
    "entity_span_detection": {"en": ("Entity span detection", "list every entity mention, in order of appearance"),
                              "zh": ("实体片段检测", "按出现顺序列出所有实体片段")},
    "entity_typing": {"en": ("Entity typing", "tell which type the given span is"),
                      "zh": ("实体类型判断", "判断给定片段属于哪种类型")},
    "single_type_extraction": {"en": ("Single-type entity extraction", "extract every span of the given type"),
                               "zh": ("单类型实体抽取", "抽取给定类型的所有片段")},
    "attribute_value_extraction": {"en": ("Attribute value extraction", "extract the value of each candidate attribute"),
                                   "zh": ("属性值抽取", "抽取每个候选属性的属性值")},
    "attribute_value_detection": {"en": ("Attribute value detection", "list every attribute value it mentions"),
                                  "zh": ("属性值检测", "列出其中提到的所有属性值")},
    "attribute_naming": {"en": ("Attribute naming", "name the attribute that the given value belongs to"),
                         "zh": ("属性名称识别", "说出给定属性值所属的属性")},
    "attribute_pair_verification": {"en": ("Attribute-value pair verification", "decide whether the given attribute-value pair is correct"),
                                    "zh": ("属性值对校验", "判断给定的属性-属性值对是否正确")},
    "coarse_classify": {"en": ("Coarse product classification", "choose the coarse category of the product"),
                        "zh": ("商品粗粒度分类", "选择商品所属的粗粒度类目")},
    "fine_classify": {"en": ("Fine-grained product classification", "choose the fine-grained category of the product"),
                      "zh": ("商品细粒度分类", "选择商品所属的细粒度类目")},
    "title_generate": {"en": ("Product title generation", "write a product title that carries the given attributes"),
                       "zh": ("商品标题生成", "根据给定属性写一个商品标题")},
    "title_attribute_matching": {"en": ("Title-attribute matching", "decide whether the attributes describe the title's product"),
                                 "zh": ("标题属性匹配", "判断这些属性是否描述了标题中的商品")},
    "item_align": {"en": ("Product alignment", "decide whether the two titles describe the same product"),
                   "zh": ("商品对齐", "判断两个标题是否描述同一件商品")},
    "sentiment": {"en": ("Review sentiment classification", "choose the overall sentiment"),
                  "zh": ("评论情感分类", "选择整体情感倾向")},
    "rating": {"en": ("Review rating prediction", "predict the star rating from 1 to 5"),
               "zh": ("评论评分预测", "预测1到5的星级评分")},
    "aspect_extraction": {"en": ("Aspect term extraction", "extract the aspects the reviewer talks about"),
                          "zh": ("评价对象抽取", "抽取评论者谈到的评价对象")},
    "opinion_extraction": {"en": ("Opinion term extraction", "extract the opinion words"),
                           "zh": ("观点词抽取", "抽取其中的观点词")},
    "aspect_category": {"en": ("Aspect category classification", "choose the category of the given aspect"),
                        "zh": ("评价对象类别分类", "选择给定评价对象的类别")},
    "aspect_polarity": {"en": ("Aspect sentiment classification", "choose the sentiment expressed about the given aspect"),
                        "zh": ("评价对象情感分类", "选择对给定评价对象表达的情感")},
    "topic_classify": {"en": ("Review topic classification", "choose every topic the review discusses"),
                       "zh": ("评论主题分类", "选出评论讨论的所有主题")},
    "review_summary": {"en": ("Review summarization", "summarize it in one short sentence"),
                       "zh": ("评论摘要", "用一句简短的话概括")},
    "product_category": {"en": ("Reviewed product category", "choose the category of the reviewed product"),
                         "zh": ("评论商品类目识别", "选择被评论商品的类目")},
    "query_segment": {"en": ("Query segmentation", "split it into its segments, in order"),
                      "zh": ("搜索词切分", "按顺序切分成若干片段")},
    "query_intent": {"en": ("Query intent classification", "choose the shopper's intent"),
                     "zh": ("搜索意图分类", "选择用户的购物意图")},
    "query_category": {"en": ("Query category classification", "choose the product category being searched for"),
                       "zh": ("搜索类目预测", "选择用户搜索的商品类目")},
    "query_rewrite": {"en": ("Query rewriting", "rewrite it as a cleaner search query"),
                      "zh": ("搜索词改写", "改写成更规范的搜索词")},
    "product_select": {"en": ("Product selection", "copy the option that best matches the query"),
                       "zh": ("商品选择", "抄写与搜索词最匹配的候选商品")},
    "dialog_intent": {"en": ("Dialogue intent classification", "choose the intent of the customer's last turn"),
                      "zh": ("对话意图识别", "选择用户最后一轮话语的意图")},
    "next_turn": {"en": ("Next-turn generation", "write the agent's next reply"),
                  "zh": ("对话回复生成", "写出客服的下一句回复")},
    "answer_extract": {"en": ("Product question answering", "extract the answer to the question from the context"),
                       "zh": ("商品问答", "从上下文中抽取问题的答案")},
    "answerability": {"en": ("Answerability judgement", "decide whether the context answers the question"),
                      "zh": ("可回答性判断", "判断上下文能否回答该问题")},
    "question_generate": {"en": ("Question generation", "write the question that the given answer answers"),
                          "zh": ("问题生成", "写出以给定答案作答的问题")},
    "answer_generate": {"en": ("Product answer generation", "write a short answer to the question using the context"),
                        "zh": ("商品答案生成", "根据上下文写出问题的简短回答")},
    "evidence_select": {"en": ("Evidence selection", "copy the evidence sentence that answers the question"),
                        "zh": ("证据选择", "抄写能回答该问题的证据句")},
    "offer_attribute_compare": {"en": ("Offer attribute comparison", "decide whether both offers give the same value for the given attribute"),
                                "zh": ("商品属性比对", "判断两个商品在给定属性上的取值是否相同")},
    "differing_attribute": {"en": ("Differing attribute detection", "choose the attributes whose values differ between the two offers"),
                            "zh": ("差异属性识别", "选出两个商品取值不同的属性")},
    "title_normalize": {"en": ("Title normalization", "write the title another shop lists the same product under"),
                        "zh": ("标题规范化", "写出另一家店铺对同一商品使用的标题")},
    "address_parse": {"en": ("Address parsing", "find the address components of each candidate type"),
                      "zh": ("地址解析", "找出每个候选类型的地址成分")},
    "address_component_match": {"en": ("Address component matching", "decide whether the two addresses give the same value for the given component type"),
                                "zh": ("地址成分匹配", "判断两个地址在给定成分类型上是否相同")},
    "address_match": {"en": ("Address matching", "grade how well the candidate address matches the address"),
                      "zh": ("地址匹配", "判断候选地址与该地址的匹配程度")},
    "dialog_category": {"en": ("Customer request category classification", "choose the category of the customer's request"),
                        "zh": ("用户诉求类别识别", "选择用户诉求所属的类别")},
    "utterance_generate": {"en": ("Customer utterance generation", "write a customer message with the given intent that uses the given words"),
                           "zh": ("用户话语生成", "写一句具有给定意图并用上给定词语的用户话语")},
    "description_generate": {"en": ("Product copywriting", "write the product text these attributes describe"),
                             "zh": ("商品文案生成", "根据这些属性写出商品文案")},
    "copy_attributes": {"en": ("Attribute extraction from copy", "extract the value of each candidate attribute that the copy mentions"),
                        "zh": ("文案属性抽取", "抽取文案中提到的每个候选属性的属性值")},
    "query_generate": {"en": ("Query generation", "write a search query for the given product class that uses the given word"),
                       "zh": ("搜索词生成", "为给定商品类别写一条用上给定词语的搜索词")},
}

# data type -> {lang: [noun phrases]}; a dataset uses one of them (diverse) or the first (narrow).
NOUNS: dict[str, dict[str, list[str]]] = {
    "product": {"en": ["the product title", "this listing's title", "the item title below"],
                "zh": ["商品标题", "这条商品的标题", "下面的商品标题"]},
    "review": {"en": ["the customer review", "this product review", "the buyer's comment below"],
               "zh": ["用户评论", "这条商品评价", "下面的买家评论"]},
    "query": {"en": ["the search query", "this shopper's query", "the query typed into the store search"],
              "zh": ["搜索词", "这条用户搜索词", "用户在商城输入的搜索词"]},
    "dialogue": {"en": ["the customer-service dialogue", "this chat with the store", "the conversation below"],
                 "zh": ["客服对话", "这段店铺聊天记录", "下面的对话"]},
    "qa": {"en": ["the product question and its context", "this product Q&A", "the question about the product below"],
           "zh": ["商品问题及其上下文", "这条商品问答", "下面关于商品的问题"]},
    "general": {"en": ["the input", "this text", "the text below"], "zh": ["输入", "这段文本", "下面的文本"]},
}

# Kinds whose input is not the record's own text get nouns for what the input holds: "For this
# listing's title, write a product title" contradicts an input of attributes only.
_ATTRIBUTE_NOUNS = {"en": ["the product attributes", "these attributes of a product", "the attribute list below"],
                    "zh": ["商品属性", "这些商品属性", "下面的属性列表"]}
_OFFER_PAIR_NOUNS = {"en": ["the two offers", "these two product offers", "the pair of offers below"],
                     "zh": ["两个商品", "这两条商品信息", "下面的两个商品"]}
INPUT_NOUNS: dict[str, dict[str, list[str]]] = {
    "title_generate": _ATTRIBUTE_NOUNS,
    "offer_attribute_compare": _OFFER_PAIR_NOUNS,
    "differing_attribute": _OFFER_PAIR_NOUNS,
    "address_component_match": {"en": ["the two addresses", "these two addresses", "the address pair below"],
                                "zh": ["两个地址", "这两个地址", "下面的地址对"]},
    "address_match": {"en": ["the address and the candidate", "this address and a candidate address", "the address pair below"],
                      "zh": ["地址及候选地址", "这个地址和候选地址", "下面的地址对"]},
    "utterance_generate": {"en": ["the intent and the words", "this intent and word list", "the intent below"],
                           "zh": ["意图和词语", "这个意图及词语", "下面的意图"]},
    "description_generate": _ATTRIBUTE_NOUNS,
    "copy_attributes": {"en": ["the product copy", "this marketing text", "the product text below"],
                        "zh": ["商品文案", "这段营销文案", "下面的商品文案"]},
    "query_generate": {"en": ["the product class and the word", "this class and word", "the product class below"],
                       "zh": ["商品类别和词语", "这个类别及词语", "下面的商品类别"]},
    "question_generate": {"en": ["the context and its answer", "this answer and its context",
                                 "the answer and context below"],
                          "zh": ["上下文及其答案", "这条答案及其上下文", "下面的答案和上下文"]},
}

FRAMES: dict[str, list[str]] = {
    "en": ["Given {noun}, {core}.", "Read {noun} and {core}.", "Please {core} for {noun}.",
           "Look at {noun}; {core}.", "You are an e-commerce assistant. For {noun}, {core}."],
    "zh": ["给定{noun}，请{core}。", "阅读{noun}，{core}。", "请针对{noun}{core}。",
           "看一下{noun}：{core}。", "你是一名电商助手。对于{noun}，请{core}。"],
}

HEADERS = {
    "en": {"task": "Task: ", "prompt": "Instruction: ", "input": "Input: ", "candidates": "Candidate labels: ",
           "constraint": "Output constraint: "},
    "zh": {"task": "任务：", "prompt": "指令：", "input": "输入：", "candidates": "候选标签：", "constraint": "输出要求："},
}

_SEP_NAME = {"en": repr(LABEL_SEP), "zh": f"“{LABEL_SEP}”"}
CONSTRAINTS: dict[str, dict[str, str]] = {
    "CLS": {"en": f"Answer with candidate labels only, separated by {_SEP_NAME['en']}.",
            "zh": f"只能用候选标签作答，多个标签用{_SEP_NAME['zh']}分隔。"},
    "NER": {"en": f"Write one line per candidate type as 'Type: span{LABEL_SEP}span', and 'Type: {NONE_ANSWER}' when the type is absent.",
            "zh": f"每个候选类型写一行，格式为“类型: 片段{LABEL_SEP}片段”，该类型不存在时写“类型: {NONE_ANSWER}”。"},
    "Condition_Extract": {"en": f"Copy spans from the input, separated by {_SEP_NAME['en']}; answer '{NONE_ANSWER}' if there is none.",
                          "zh": f"从输入中原样抄写片段，用{_SEP_NAME['zh']}分隔；没有则回答“{NONE_ANSWER}”。"},
    "Extract": {"en": f"Copy the answer from the input, separated by {_SEP_NAME['en']} if several; answer '{NONE_ANSWER}' if there is none.",
                "zh": f"从输入中原样抄写答案，多个用{_SEP_NAME['zh']}分隔；没有则回答“{NONE_ANSWER}”。"},
    "Generate": {"en": "Answer with one short piece of text, without explanation.",
                 "zh": "只输出一段简短的文本，不要解释。"},
}


def resolve_layout(data) -> str:
    """``data.layout``: ``ours`` / ``published``, or ``auto`` = published for the open world, ours for
    the synthetic one (committed synthetic results were trained in ours)."""
    layout = getattr(data, "layout", "auto")
    if layout == "auto":
        return "published" if data.world == "open" else "ours"
    if layout not in LAYOUTS:
        raise ConfigError(f"data.layout: expected one of 'auto', {', '.join(map(repr, LAYOUTS))}, got {layout!r}")
    return layout


@dataclass(frozen=True)
class TemplateVariant:
    template: str = "diverse"  # diverse | narrow
    prompt_lang: str = "en"  # en | zh | input
    task_info: bool = True
    output_constraint: bool = True
    layout: str = "ours"  # ours | published (never "auto": resolved from the data config)

    @classmethod
    def from_data(cls, data) -> "TemplateVariant":
        v = cls(data.template, data.prompt_lang, data.task_info, data.output_constraint, resolve_layout(data))
        if v.template not in ("diverse", "narrow") or v.prompt_lang not in ("en", "zh", "input"):
            raise ConfigError(f"data.template/data.prompt_lang: unsupported variant {v}")
        return v

    def for_eval(self) -> "TemplateVariant":
        """The fixed evaluation variant in this variant's layout: held-out rows never depend on the
        training template, only on the layout the model is trained in."""
        return TemplateVariant(EVAL_VARIANT.template, EVAL_VARIANT.prompt_lang, EVAL_VARIANT.task_info,
                       EVAL_VARIANT.output_constraint, self.layout)


# The one fixed evaluation template: held-out rows never depend on the training variant.
EVAL_VARIANT = TemplateVariant("diverse", "en", True, True)


def _pick(dataset: str, n: int, k: int) -> list[int]:
    """k distinct indices out of n, fixed per dataset (sha256, not Python's salted hash)."""
    order = sorted(range(n), key=lambda i: hashlib.sha256(f"{dataset}\x1f{i}".encode()).hexdigest())
    return order[:k]


@functools.lru_cache(maxsize=4096)
def prompts_for(kind: str, dataset: str, data_type: str, lang: str, template: str) -> tuple[str, ...]:
    """The prompt wordings a (dataset, kind) may use under a template variant."""
    core = KIND_TEXT[kind][lang][1]
    nouns = (INPUT_NOUNS.get(kind) or NOUNS.get(data_type, NOUNS["general"]))[lang]
    if template == "narrow":  # one wording per kind, whatever the dataset or its data type
        return (FRAMES[lang][0].format(noun=NOUNS["general"][lang][0], core=core),)
    noun = nouns[_pick(dataset, len(nouns), 1)[0]]
    return tuple(FRAMES[lang][i].format(noun=noun, core=core) for i in _pick(dataset, len(FRAMES[lang]), 3))


def prompt_language(variant: TemplateVariant, input_lang: str) -> str:
    return input_lang if variant.prompt_lang == "input" else variant.prompt_lang


def render(
    kind: str, dataset: str, data_type: str, input_lang: str, input_text: str, candidates: list[str],
    variant: TemplateVariant, choice: int | None,
) -> str:
    """The six-part prompt (without the output) in the variant's layout. ``choice`` picks among the
    wordings; ``None`` takes the dataset's first one (the fixed evaluation prompt)."""
    lang = prompt_language(variant, input_lang)
    options = prompts_for(kind, dataset, data_type, lang, variant.template)
    parts = {"prompt": options[0] if choice is None else options[choice % len(options)], "input": input_text}
    if variant.task_info:
        parts["task"] = KIND_TEXT[kind][lang][0]
    if candidates:
        parts["candidates"] = LABEL_SEP.join(candidates)
    if variant.output_constraint:
        parts["constraint"] = CONSTRAINTS[TASK_KINDS[kind]][lang]
    if variant.layout == "published":
        return render_published(parts, lang)
    if variant.layout != "ours":
        raise ConfigError(f"data.layout: expected one of {', '.join(map(repr, LAYOUTS))}, got {variant.layout!r}")
    return render_ours(parts, lang)


def render_ours(parts: dict[str, str], lang: str) -> str:
    """Layout ``ours``: one headed line per part, then the response marker and a newline."""
    h = HEADERS[lang]
    order = [k for k in ("task", "prompt", "input", "candidates", "constraint") if k in parts]
    return "\n".join(h[k] + parts[k] for k in order) + "\n" + PROMPT_END


def published_prompt(defi: str | None, instruction: str) -> str:
    """Layout ``published``: the reference's head naming the task, then the instruction block, which
    carries ``### Instruction:`` ... ``### Response:`` itself (as the published ``test_prompt`` does).
    Every published test prompt is built with this (``published_test_prompt``)."""
    return (PUBLISHED_HEAD.format(defi=defi) if defi else PUBLISHED_HEAD_NO_TASK) + instruction


MAX_SAMPLED_LABELS = 50  # the reference draws np.random.randint(50) candidate labels


def _sampled_labels(label_list: list[str], pos: list[str], seed: int) -> list[str]:
    """The reference's candidate sampling, seeded: shuffle, keep randint(50), add the gold labels."""
    rng = random.Random(seed)
    pool = list(label_list)
    rng.shuffle(pool)
    kept = pool[: rng.randrange(MAX_SAMPLED_LABELS)]
    # the reference takes list(set(...)): an unordered union; we dedupe and shuffle deterministically
    union = sorted(set(kept) | set(pos))
    rng.shuffle(union)
    return union


def published_shown_labels(task_type: str, label_list: list[str], pos: list[str], candidates: str = "full",
                           seed: int = 0) -> list[str]:
    """The labels a published test prompt shows. CLS: the whole label list (gold labels outside it appended)
    when ``candidates="full"``, else the reference's random sample (seeded by ``seed``, see ``ecomlib.seeding.stable_seed``)
    with the gold labels; NER / Condition_Extract: the task's label list; Extract / Generate: none."""
    if task_type == "CLS":
        if candidates == "full":
            return list(label_list) + [p for p in dict.fromkeys(pos) if p not in label_list]
        return _sampled_labels(list(label_list), list(pos), seed)
    return list(label_list) if task_type in ("NER", "Condition_Extract") else []


def published_test_prompt(defi: str | None, instruction: str, sentences: str, shown: list[str], sep: str) -> str:
    """A published test row's prompt, as the reference's ``src/eval.py`` builds it: the head naming the task,
    then ``test_prompt.instruction`` formatted with the row's sentences and the labels shown."""
    return published_prompt(defi, instruction).format(sentences=sentences, label_set=sep.join(shown), ex="")


def _defi(task: str, lang: str) -> str:
    return task[:1].lower() + task[1:] if lang == "en" else task  # "... the named entity recognition task"


def render_published(parts: dict[str, str], lang: str) -> str:
    """Our parts in the published layout: the input under ``### Instruction:``, then one request line
    (prompt, candidate labels, output constraint), then `` \n### Response:``."""
    h = HEADERS[lang]
    request = parts["prompt"] + "".join(" " + h[k] + parts[k] for k in ("candidates", "constraint") if k in parts)
    task = _defi(parts["task"], lang) if "task" in parts else None
    return published_prompt(task, f"{PUBLISHED_INSTRUCTION}{parts['input']}\n{request}{PUBLISHED_END}")


def split_prompt(prompt: str) -> dict[str, str]:
    """Parse a rendered prompt back into its parts (task, prompt, input, candidates, constraint).

    Used by the builder's leak check and by tests; either layout. In ``ours`` headers are recognised
    in either language at the start of a line, and a part runs until the next header line or the
    response marker; in ``published`` see ``_split_published``.
    """
    if prompt.startswith(PUBLISHED_HEAD_NO_TASK[:31]) and prompt.endswith(PUBLISHED_END):
        return _split_published(prompt)
    if not prompt.endswith(PROMPT_END):
        raise DataError("not a rendered prompt: it must end with the response marker")
    body = prompt[: -len(PROMPT_END)].rstrip("\n")
    starts = {v: k for lang in HEADERS for k, v in HEADERS[lang].items()}
    parts: dict[str, str] = {}
    current: str | None = None
    for line in body.split("\n"):
        head = next((hd for hd in starts if line.startswith(hd)), None)
        # A data line that merely starts like a header can only occur inside the input part; a
        # header is accepted only if it comes later in the fixed order than the current part.
        order = ["task", "prompt", "input", "candidates", "constraint"]
        if head is not None and (current is None or order.index(starts[head]) > order.index(current)) and (
            current != "input" or starts[head] in ("candidates", "constraint")
        ):
            current = starts[head]
            parts[current] = line[len(head):]
        elif current is not None:
            parts[current] += "\n" + line
        else:
            raise DataError(f"prompt line {line!r} comes before any part header")
    return parts


_PUBLISHED_TASK = re.compile(r"Below is an instruction that describes the (.*) task\. Write a response")


def _split_published(prompt: str) -> dict[str, str]:
    """Head (task), then ``### Instruction:`` + input, then the last line: prompt [candidates]
    [constraint]. The input may span lines; the request line never holds the input."""
    head, _, body = prompt.partition("\n")
    if not body.startswith(PUBLISHED_INSTRUCTION):
        raise DataError(f"not a rendered prompt: {PUBLISHED_INSTRUCTION!r} must follow the head line")
    inner = body[len(PUBLISHED_INSTRUCTION): -len(PUBLISHED_END)]
    if "\n" not in inner:
        raise DataError("not a rendered prompt: the request line after the input is missing")
    text, request = inner.rsplit("\n", 1)
    parts: dict[str, str] = {}
    m = _PUBLISHED_TASK.match(head)
    if m:
        parts["task"] = m.group(1)
    tail: dict[str, str] = {}
    for key in ("constraint", "candidates"):  # from the end of the line: the prompt comes first
        for lang in HEADERS:
            at = request.rfind(" " + HEADERS[lang][key])
            if at >= 0:
                tail[key] = request[at + 1 + len(HEADERS[lang][key]):]
                request = request[:at]
                break
    parts.update({"prompt": request, "input": text, **dict(reversed(list(tail.items())))})
    return parts


def _check() -> None:
    missing = set(TASK_KINDS) - set(KIND_TEXT)
    assert not missing, f"KIND_TEXT lacks {sorted(missing)}"


_check()
