"""Multi-turn customer-service dialogues: intent of the last user turn and the next agent response."""

from __future__ import annotations

import random
from typing import Iterator

from ecomlib.recordtypes import Span
from ecomlib.world.catalog import Catalog
from ecomlib.world.style import Style

# intent -> lang -> (user utterances, agent response); {p} product, {o} order number, {c} colour, {b} brand
INTENTS: dict[str, dict[str, tuple[list[str], str]]] = {
    "order_status": {
        "en": (["Where is my order {o}?", "Can you check the status of order {o}?"],
               "Let me check order {o} for you. It is on the way and should arrive within two days."),
        "zh": (["我的订单{o}到哪了？", "帮我查一下订单{o}的物流"], "我帮您查一下订单{o}，目前正在派送中，预计两天内送达。")},
    "refund": {
        "en": (["I want a refund for the {p}.", "Please refund my money for the {p}."],
               "Sorry for the trouble. I have started a refund for you; it will arrive within three working days."),
        "zh": (["这个{p}我想退款", "{p}能退款吗？"], "非常抱歉，已为您申请退款，三个工作日内原路退回。")},
    "return_goods": {
        "en": (["How do I return the {p}?", "I would like to send the {p} back."],
               "You can apply for a return on the order page within seven days and we will arrange a pickup."),
        "zh": (["{p}怎么退货？", "我想把{p}退回去"], "您可以在七天内在订单页面申请退货，我们会安排上门取件。")},
    "exchange_size": {
        "en": (["The {p} is too small, can I exchange it for a bigger size?", "Can I swap the {p} for another size?"],
               "Of course. Please place an exchange request and choose the new size."),
        "zh": (["{p}尺码小了，能换大一号吗？", "{p}可以换个尺码吗？"], "可以的，请您提交换货申请并选择新的尺码。")},
    "change_address": {
        "en": (["I need to change the shipping address for order {o}.", "Can I update the address on order {o}?"],
               "Please send me the new address and I will update it before the parcel ships."),
        "zh": (["订单{o}的收货地址能改一下吗？", "我想修改订单{o}的地址"], "请把新地址发给我，我会在发货前为您修改。")},
    "cancel_order": {
        "en": (["Please cancel order {o}.", "I do not want order {o} anymore, cancel it please."],
               "Order {o} has been cancelled and the payment will be refunded automatically."),
        "zh": (["帮我取消订单{o}", "订单{o}不要了，取消吧"], "订单{o}已为您取消，款项会自动退回。")},
    "invoice": {
        "en": (["Can I get an invoice for my purchase?", "I need an invoice for the {p}."],
               "Yes. Please provide your company name and tax number and we will issue the invoice."),
        "zh": (["可以开发票吗？", "{p}能开发票吗？"], "可以的，请提供公司名称和税号，我们会为您开具发票。")},
    "stock_inquiry": {
        "en": (["Is the {p} in {c} still in stock?", "Do you have the {c} {p} available?"],
               "Yes, the {p} in {c} is in stock and ships today."),
        "zh": (["{c}的{p}还有货吗？", "{p}{c}有现货吗？"], "有的，{c}的{p}有现货，今天就能发出。")},
    "size_advice": {
        "en": (["I am 170 cm and 60 kg, which size of the {p} should I buy?", "What size of the {p} fits me?"],
               "Based on your height and weight we recommend size M."),
        "zh": (["我身高170体重120斤，{p}穿什么码？", "{p}我该选哪个码？"], "根据您的身高体重，建议您选择M码。")},
    "discount_inquiry": {
        "en": (["Are there any coupons for the {p}?", "Is there a discount on the {p}?"],
               "You can claim a ten percent coupon on the product page before checkout."),
        "zh": (["{p}有优惠券吗？", "{p}能便宜点吗？"], "您可以在商品页面领取九折优惠券后再下单。")},
    "payment_issue": {
        "en": (["My payment failed, what should I do?", "I cannot pay for order {o}."],
               "Please try another payment method or clear the app cache and try again."),
        "zh": (["付款一直失败怎么办？", "订单{o}付不了款"], "请您换一种支付方式，或清除应用缓存后重试。")},
    "delivery_delay": {
        "en": (["My package is late, it should have arrived yesterday.", "Why has order {o} not arrived yet?"],
               "Sorry for the delay. I have urged the courier and it will arrive as soon as possible."),
        "zh": (["快递怎么还没到，昨天就该到了", "订单{o}怎么还没送到？"], "抱歉让您久等了，已为您催促快递尽快送达。")},
    "quality_complaint": {
        "en": (["The {p} I received is damaged.", "The {p} stopped working after one day."],
               "We are very sorry. Please send us a photo and we will ship a replacement right away."),
        "zh": (["收到的{p}是坏的", "{p}用了一天就坏了"], "非常抱歉，请您拍照发给我们，我们马上为您补发。")},
    "warranty": {
        "en": (["How long is the warranty for the {p}?", "Does the {p} have a warranty?"],
               "The {p} comes with a one year warranty from the date of delivery."),
        "zh": (["{p}保修多久？", "{p}有保修吗？"], "{p}自签收之日起保修一年。")},
    "product_usage": {
        "en": (["How do I use the {p}?", "Is there a manual for the {p}?"],
               "Please check the manual in the package; I can also send you a video guide."),
        "zh": (["这个{p}怎么用？", "{p}有说明书吗？"], "包裹里附有说明书，我也可以发视频教程给您。")},
    "shipping_fee": {
        "en": (["Is shipping free for this order?", "How much is shipping for the {p}?"],
               "Orders over 99 yuan ship for free."),
        "zh": (["这个包邮吗？", "{p}运费多少？"], "满99元即可包邮。")},
    "authenticity": {
        "en": (["Is the {b} {p} real?", "Is this an original {b} product?"],
               "All our products are original and come directly from {b}."),
        "zh": (["{b}{p}是正品吗？", "这是{b}官方正品吗？"], "我们所有商品均为{b}官方正品，请放心购买。")},
}
INTENT_NAMES = tuple(INTENTS)
GREETINGS = {"en": (["Hi, are you there?", "Hello"], "Hello, how can I help you today?"),
             "zh": (["在吗？", "你好"], "您好，请问有什么可以帮您？")}


def gen_dialogues(cat: Catalog, lang: str, style: Style, typo_rate: float, rng: random.Random
                  ) -> Iterator[tuple[str, list[Span], dict, dict]]:
    pool = cat.products(style.heldout_vocab)
    zh = lang == "zh"
    while True:
        p = rng.choice(pool)
        slots = {"p": p.category.zh if zh else p.category.en.lower(), "b": p.brand.zh if zh else p.brand.en,
                 "o": str(rng.randint(10**7, 10**8 - 1)), "c": p.attrs[0][2] if zh else p.attrs[0][1].lower()}
        turns: list[dict] = []
        if rng.random() < 0.6:
            turns += [{"role": "user", "text": rng.choice(GREETINGS[lang][0])},
                      {"role": "agent", "text": GREETINGS[lang][1]}]
        if rng.random() < 0.4:
            prev = rng.choice(INTENT_NAMES)
            users, agent = INTENTS[prev][lang]
            turns += [{"role": "user", "text": rng.choice(users).format(**slots)},
                      {"role": "agent", "text": agent.format(**slots)}]
        intent = rng.choice(INTENT_NAMES)
        users, agent = INTENTS[intent][lang]
        turns.append({"role": "user", "text": rng.choice(users).format(**slots)})
        text = "\n".join(f"{t['role']}: {t['text']}" for t in turns)
        # The shop's reply guide for this chat: the right reply among two others, so the next turn is
        # chosen and copied from what the agent is shown, not recalled from a hidden per-intent table.
        others = rng.sample([i for i in INTENT_NAMES if i != intent], 2)
        guide = [agent.format(**slots)] + [INTENTS[i][lang][1].format(**slots) for i in others]
        rng.shuffle(guide)
        labels = {"turns": turns, "intent": intent, "next_response": agent.format(**slots), "reply_guide": guide}
        yield text, [], labels, {"product_id": p.pid}
