#!/usr/bin/env node
// Builds tests/core/data/segments_twilio_reference.json: a corpus of tricky SMS texts with the
// encoding and segment count computed by Twilio's published segment calculator
// (npm package sms-segments-calculator, the library behind Twilio's web calculator).
// See README.md beside this file for how to run it. Deterministic: same output every run.
'use strict';

const { SegmentedMessage } = require('sms-segments-calculator');
const calculatorVersion = require('sms-segments-calculator/package.json').version;

const cases = [];
const add = (name, text) => cases.push({ name, text });
const rep = (s, n) => s.repeat(Math.max(0, n));

// --- GSM-7: plain lengths around every boundary -------------------------------------------
for (const n of [0, 1, 70, 152, 153, 154, 159, 160, 161, 305, 306, 307, 458, 459, 460, 461, 999, 1000]) {
  add(`gsm-len-${n}`, rep('a', n));
}
add('empty', '');
add('space-only', ' ');

// --- GSM-7 extension characters (2 septets) at the 152/153/159/160/161 boundaries ---------
const EXT = ['^', '{', '}', '\\', '[', '~', ']', '|', '€', '\f'];
for (const ch of EXT) {
  const code = ch.codePointAt(0).toString(16);
  for (const before of [151, 152, 153, 158, 159, 160]) {
    add(`gsm-ext-${code}-after-${before}-then-5`, rep('a', before) + ch + rep('b', 5));
  }
  add(`gsm-ext-${code}-alone-at-end-159`, rep('a', 158) + ch); // exactly 160 septets
  add(`gsm-ext-${code}-alone-at-end-160`, rep('a', 159) + ch); // 161 septets
}
for (const n of [76, 77, 79, 80, 81, 152, 153, 230]) {
  add(`gsm-all-euro-${n}`, rep('€', n));
  add(`gsm-all-brace-${n}`, rep('{', n));
}
add('gsm-ext-alternating-200', rep('a{', 100));
add('gsm-ext-at-306', rep('a', 305) + '[' + rep('b', 5));

// --- Every GSM basic character, and lookalikes that are NOT GSM --------------------------
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
add('gsm-whole-basic-alphabet', GSM_BASIC);
add('gsm-whole-alphabet-plus-extension', GSM_BASIC + EXT.join(''));
add('gsm-greek-capitals-in-gsm', 'ΔΦΓΛΩΠΨΣΘΞ are GSM');
add('gsm-greek-capitals-160', rep('ΔΦΓΛΩΠΨΣΘΞ', 16));
add('gsm-greek-capitals-161', rep('ΔΦΓΛΩΠΨΣΘΞ', 16) + 'Ω');
const NOT_GSM = [
  ['greek-capital-alpha', 'Α'], ['greek-small-alpha', 'α'], ['greek-capital-beta', 'Β'],
  ['c-cedilla-small', 'ç'], ['a-acute', 'á'], ['e-circumflex', 'ê'], ['o-tilde', 'õ'],
  ['backtick', '`'], ['tab', '\t'], ['nbsp', '\u00a0'], ['narrow-nbsp', '\u202f'],
  ['left-single-quote', '\u2018'], ['right-single-quote', '\u2019'], ['left-double-quote', '\u201c'],
  ['en-dash', '\u2013'], ['em-dash', '\u2014'], ['ellipsis', '\u2026'], ['zwsp', '\u200b'],
  ['bom', '\ufeff'], ['soft-hyphen', '\u00ad'], ['cent', '¢'], ['degree', '°'], ['micro', 'µ'],
  ['cyrillic-a', 'а'], ['fullwidth-a', 'Ａ'], ['line-separator', '\u2028'], ['del', '\u007f'],
  ['esc-control', '\u001b'], ['null', '\u0000'], ['vertical-tab', '\u000b'],
];
for (const [name, ch] of NOT_GSM) {
  add(`ucs2-one-${name}-short`, `Hello${ch}world`);
  add(`ucs2-one-${name}-at-end-of-70`, rep('a', 69) + ch);
  add(`ucs2-one-${name}-in-160`, rep('a', 80) + ch + rep('a', 79));
}
add('ucs2-decomposed-e-acute', 'Cafe\u0301 tonight?');
add('gsm-precomposed-e-acute', 'Café tonight?');

// --- Line breaks -------------------------------------------------------------------------
add('gsm-crlf-short', 'Line one\r\nLine two');
add('gsm-crlf-at-152', rep('a', 152) + '\r\n' + rep('b', 10));
add('gsm-crlf-at-159', rep('a', 159) + '\r\n');
add('gsm-lf-at-160', rep('a', 159) + '\n');
add('gsm-crlf-tight-306', rep('a', 152) + '\r\n' + rep('b', 152));
add('gsm-ext-tight-306', rep('a', 152) + '€' + rep('b', 151));
add('ucs2-crlf-tight-134', rep('ê', 66) + '\r\n' + rep('ê', 66));
add('gsm-cr-only', 'a\rb\rc');
add('ucs2-crlf-at-66', rep('ê', 66) + '\r\n' + rep('ê', 10));
add('ucs2-crlf-at-67', rep('ê', 67) + '\r\n' + rep('ê', 10));
add('ucs2-many-crlf', rep('ê\r\n', 60));

// --- UCS-2 plain lengths around every boundary --------------------------------------------
for (const n of [1, 66, 67, 68, 69, 70, 71, 72, 133, 134, 135, 136, 200, 201, 202, 268, 500, 1000]) {
  add(`ucs2-len-${n}`, rep('ê', n));
}

// --- Emoji and clusters placed at the 66/67/69/70/71-unit boundaries ----------------------
const EMOJI = [
  ['grinning', '😀'], // 2 units
  ['thumbs-skin', '👍🏽'], // 4: modifier
  ['flag-fr', '🇫🇷'], // 4: regional indicator pair
  ['family-zwj', '👨‍👩‍👧‍👦'], // 11: ZWJ sequence
  ['woman-technologist', '👩‍💻'], // 5: ZWJ
  ['astronaut-skin', '🧑🏽‍🚀'], // 7: modifier + ZWJ
  ['rainbow-flag', '🏳️‍🌈'], // 6: VS16 + ZWJ
  ['england-flag', '🏴󠁧󠁢󠁥󠁮󠁧󠁿'], // 14: tag sequence
  ['keycap-one', '1️⃣'], // 3: keycap
  ['smiling-vs16', '☺️'], // 2: BMP + VS16
  ['heart-bmp', '❤'], // 1: BMP emoji
  ['heart-on-fire', '❤️‍🔥'], // 5: ZWJ, newer than Unicode 10
  ['heart-hands-skin', '🫶🏽'], // 4: modifier on an emoji newer than Unicode 10
  ['pirate-flag', '🏴‍☠️'], // 5: ZWJ, newer than Unicode 10
  ['kiss-skin-tones', '🧑🏻‍❤️‍💋‍🧑🏿'], // 15
];
for (const [name, e] of EMOJI) {
  const len = e.length; // UTF-16 units, as in the JS calculator
  for (const before of [62, 63, 64, 65, 66, 67, 68, 69, 70]) {
    if (before + len < 64) continue;
    add(`ucs2-${name}-after-${before}-then-3`, rep('ê', before) + e + rep('ê', 3));
  }
  add(`ucs2-${name}-ends-at-70`, rep('ê', 70 - len) + e);
  add(`ucs2-${name}-ends-at-71`, rep('ê', 71 - len) + e);
  add(`ucs2-${name}-straddles-134`, rep('ê', 132) + e + rep('ê', 5));
  // Tight: exactly 134 units = two full concatenated segments, the cluster straddling unit 67.
  // Keeping the cluster whole costs a third segment; only a cluster-aware splitter agrees here.
  for (let before = Math.max(0, 67 - len + 1); before < 67; before++) {
    add(`ucs2-${name}-tight-134-after-${before}`, rep('ê', before) + e + rep('ê', 134 - before - len));
  }
  add(`ucs2-${name}-tight-134-after-67`, rep('ê', 67) + e + rep('ê', 67 - len));
  add(`ucs2-${name}-after-gsm-text`, rep('a', 66) + e + rep('b', 5));
  add(`ucs2-${name}-repeated`, rep(e, Math.ceil(150 / len)));
}
add('ucs2-only-emoji', '😀');
add('ucs2-emoji-35', rep('😀', 35));
add('ucs2-emoji-36', rep('😀', 36));
add('ucs2-emoji-67-units-odd', rep('😀', 33) + 'ê' + rep('😀', 5));
add('ucs2-flags-odd-regional-indicators', rep('🇺', 35));
add('ucs2-flags-many', rep('🇺🇸🇬🇧🇫🇷', 12));
add('ucs2-skin-tone-alone', rep('🏽', 20));
add('ucs2-lone-high-surrogate', 'abc\ud83d def');
add('ucs2-lone-low-surrogate-at-67', rep('ê', 66) + '\ude00' + rep('ê', 5));
add('ucs2-decomposed-at-66', rep('ê', 66) + 'e\u0301' + rep('ê', 5));
add('ucs2-decomposed-many-marks-at-66', rep('ê', 64) + 'o\u0308\u0301\u0323' + rep('ê', 5));
add('ucs2-vs16-text-heart-at-67', rep('ê', 66) + '❤️' + rep('ê', 5));

// --- Mixed scripts -------------------------------------------------------------------------
const SCRIPTS = [
  ['cyrillic', 'Привет! Как дела? Перезвоните, пожалуйста. '],
  ['chinese', '您好，我们明天下午三点见面。谢谢！'],
  ['japanese', 'こんにちは、明日の会議は午後三時です。'],
  ['arabic', 'مرحبا، هل يمكنك الاتصال بي غدا؟ '],
  ['hebrew', 'שלום, אפשר לדבר מחר? '],
  ['hindi', 'नमस्ते, क्षमा करें, कल बात करें? '],
  ['thai', 'สวัสดีครับ พรุ่งนี้เจอกัน '],
  ['korean', '안녕하세요 내일 만나요 '],
  ['korean-jamo', '\u1100\u1161\u11a8 \u1102\u1161 '],
  ['greek', 'Γειά σου, τα λέμε αύριο. '],
  ['vietnamese', 'Xin chào, hẹn gặp lại ngày mai. '],
  ['mixed-latin-emoji', 'Hi Ana 👋 your demo is at 3pm — see you! '],
];
for (const [name, s] of SCRIPTS) {
  add(`script-${name}-short`, s);
  for (const target of [67, 70, 71, 134, 135, 400]) {
    let t = '';
    while (t.length < target) t += s;
    add(`script-${name}-${target}`, t.slice(0, target));
  }
}
add('script-hindi-conjunct-straddles-67', rep('ê', 65) + 'क्षि' + rep('ê', 5));
for (let before = 64; before < 67; before++) {
  add(`script-hindi-conjunct-tight-134-after-${before}`, rep('ê', before) + 'क्षि' + rep('ê', 130 - before));
  add(`ucs2-decomposed-tight-134-after-${before}`, rep('ê', before) + 'o\u0308\u0301\u0323' + rep('ê', 130 - before));
}

// --- Realistic messages ---------------------------------------------------------------------
add('real-plain', 'Hi Ana, this is Bob from Acme. Are you free for a quick call tomorrow? Reply STOP to opt out.');
add('real-curly', 'Hi Ana, it\u2019s Bob from Acme \u2014 \u201cquick\u201d question\u2026 Reply STOP to opt out.');
add('real-nbsp-price', 'Your total is 1\u00a0000\u00a0€. Reply STOP to opt out.');
add('real-tab-list', 'Items:\t1) demo\t2) pricing\t3) next steps');
add('real-long-gsm', rep('We have an update on your order [#123] {ok}. ', 12));
add('real-long-ucs2', rep('We have an update on your order \u2014 thanks! ', 12));
add('real-url', 'See https://example.com/a?b=c&d=e~f|g^h for details');
add('real-form-feed', 'Page one\fPage two');

// --- Seeded pseudo-random mixes of the atoms above -------------------------------------------
function mulberry32(seed) {
  return function () {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(20261123);
const POOL_GSM = ['a', 'b', ' ', '.', 'é', 'Ω', '\n', '€', '{', '}', '\\', '^', '~', '|', '[', ']', '\r\n'];
const POOL_ANY = POOL_GSM.concat(['ê', '’', '—', '\u00a0', '😀', '👍🏽', '🇫🇷', '👨‍👩‍👧‍👦', '👩‍💻', 'e\u0301', '中', 'я']);
for (let i = 0; i < 80; i++) {
  const pool = i % 2 === 0 ? POOL_GSM : POOL_ANY;
  const n = 50 + Math.floor(random() * 400);
  let t = '';
  for (let k = 0; k < n; k++) t += pool[Math.floor(random() * pool.length)];
  add(`random-${i % 2 === 0 ? 'gsm' : 'any'}-${i}`, t);
}

// --- Run the calculator ------------------------------------------------------------------------
const seen = new Set();
const out = [];
for (const { name, text } of cases) {
  if (seen.has(name)) throw new Error(`duplicate case name ${name}`);
  seen.add(name);
  const m = new SegmentedMessage(text);
  out.push({ name, text, encoding: m.encodingName, segments: m.segmentsCount });
}
process.stdout.write(
  JSON.stringify({ calculator: `sms-segments-calculator@${calculatorVersion}`, cases: out }, null, 1) + '\n',
);
