using DeepResearcher.Core.Rewards;
using DeepResearcher.Training.Grpo;
using DeepResearcher.World.Generation;

namespace DeepResearcher.Recipes.Configuration;

/// <summary>
/// The whole training configuration, one YAML file. Keys mirror the original's (verl) names where they exist:
/// <c>train_batch_size</c>, <c>rollout_n</c>, <c>max_turns</c>, <c>kl_coef</c>, <c>clip_ratio</c>, <c>lr</c>…
/// </summary>
public sealed class TrainingConfig
{
    public string Preset { get; set; } = "offline-tiny";

    public WorldSection World { get; set; } = new();

    public ModelSection Model { get; set; } = new();

    public DataSection Data { get; set; } = new();

    public RolloutSection Rollout { get; set; } = new();

    public ActorSection Actor { get; set; } = new();

    public SftSection Sft { get; set; } = new();

    public TrainerSection Trainer { get; set; } = new();

    public RewardSection Reward { get; set; } = new();

    public TinkerSection Tinker { get; set; } = new();

    public ToolsSection Tools { get; set; } = new();
}

/// <summary>The Tinker-compatible service <c>trainer.backend: tinker</c> trains on (docs/tinker.md, docs/scaling.md).</summary>
public sealed class TinkerSection
{
    /// <summary>The service's base URL: hosted Tinker, a SkyRL tx server, or <c>deepresearcher serve training</c> (e.g. http://127.0.0.1:8100).</summary>
    public string BaseUrl { get; set; } = string.Empty;

    /// <summary>The environment variable holding the API key (read at start, never written anywhere); unset = no key (a local server).</summary>
    public string ApiKeyEnv { get; set; } = "TINKER_API_KEY";

    /// <summary>The base model as the service names it (get_server_capabilities lists them), e.g. Qwen/Qwen3-8B.</summary>
    public string BaseModel { get; set; } = string.Empty;

    /// <summary>LoRA rank of the trained adapter; 0 trains every weight (where the service allows it).</summary>
    public int LoraRank { get; set; } = 32;

    /// <summary>
    /// The base model's tokenizer.json, here: rollouts encode prompts and decode samples locally, so the token ids and
    /// masks are exact. Empty = model.path's tokenizer.json.
    /// </summary>
    public string Tokenizer { get; set; } = string.Empty;

    /// <summary>Seconds one request (or future) may take before it is retried as the SDK does, then failed.</summary>
    public double RequestTimeout { get; set; } = 600;
}

/// <summary>
/// The tools the policy researches with. Empty <see cref="Search"/> = the offline world (the <c>world</c> section);
/// a search provider = the real web, with questions from <c>data.train_files</c> and <c>data.val_files</c>.
/// </summary>
public sealed class ToolsSection
{
    /// <summary>Empty (the offline world), <c>auto</c> (every provider whose key is set, in failover order) or a provider: serper, brave, google, tavily, searxng.</summary>
    public string Search { get; set; } = string.Empty;

    /// <summary>Tool servers (<c>deepresearcher tools serve</c>, e.g. behind a load balancer) to call instead of building the web tools here.</summary>
    public List<string> ToolServers { get; set; } = [];

    /// <summary><c>extractive</c> (no LLM) or <c>llm</c>: the original's reading agent on an OpenAI-compatible endpoint.</summary>
    public string Reader { get; set; } = "extractive";

    /// <summary>For <c>reader: llm</c>: the endpoint (vLLM, SGLang, a hosted API), e.g. http://10.0.0.5:8000/v1.</summary>
    public string ReaderUrl { get; set; } = string.Empty;

    public string ReaderModel { get; set; } = string.Empty;

    /// <summary>The environment variable holding the reader's API key (never written anywhere).</summary>
    public string ReaderApiKeyEnv { get; set; } = "OPENAI_API_KEY";

    /// <summary>A PostgreSQL connection string for the search and page cache several runs or tool servers share; empty = a SQLite file in the run.</summary>
    public string PostgresCache { get; set; } = string.Empty;
}

public sealed class RewardSection
{
    /// <summary><c>f1</c> (the original's set-F1, −1 for format errors), <c>em</c> (exact match) or <c>judge</c> (an LLM judge's verdict).</summary>
    public RewardKind Kind { get; set; } = RewardKind.F1;

    /// <summary>For <c>judge</c>: an OpenAI-compatible endpoint (vLLM, SGLang, a hosted API).</summary>
    public string JudgeUrl { get; set; } = string.Empty;

    public string JudgeModel { get; set; } = string.Empty;

    /// <summary>The environment variable holding the judge's API key (never written anywhere).</summary>
    public string JudgeApiKeyEnv { get; set; } = "OPENAI_API_KEY";

    /// <summary>
    /// Departures from the published metric definitions (<c>unicode-punctuation</c>, <c>hotpotqa-yes-no</c>) for the
    /// reward and the run's evaluations; empty (the default) = the original's set-F1 and SQuAD's EM/F1 exactly.
    /// </summary>
    public MetricRules MetricRules { get; set; }
}

public sealed class WorldSection
{
    /// <summary>An existing world directory; when empty, one is built at <c>{out}/world</c>.</summary>
    public string Dir { get; set; } = string.Empty;

    public WorldSize Size { get; set; } = WorldSize.Small;

    public ulong Seed { get; set; } = 42;

    /// <summary>Loopback port of the world's server; 0 = any free port. The policy never sees it: the world's URLs name its virtual origin (http://world.local).</summary>
    public int Port { get; set; }
}

public sealed class ModelSection
{
    /// <summary>A Hugging Face checkpoint directory; empty = initialise a small model from scratch.</summary>
    public string Path { get; set; } = string.Empty;

    /// <summary>Vocabulary of the BPE tokenizer trained on the world (from-scratch models only).</summary>
    public int VocabSize { get; set; } = 2048;

    public int HiddenSize { get; set; } = 128;

    public int NumLayers { get; set; } = 4;

    public int NumHeads { get; set; } = 4;

    public int NumKvHeads { get; set; } = 2;

    public int IntermediateSize { get; set; } = 352;

    /// <summary>
    /// Also train the tokenizer on the world's entity names (three times each), so a name is one or two tokens and
    /// copying it from a tool response into the answer is a short step for a small model (from-scratch models only).
    /// </summary>
    public bool TokenizerWorldNames { get; set; }

    /// <summary>
    /// How the trained tokenizer cuts text into words (from-scratch models only): <c>qwen2</c> (Qwen2's pattern) or
    /// <c>stable-names</c>, where capitalised words and numbers never take the character before them, so a name is
    /// the same tokens after a space, a quote, a slash or an underscore and copying it is a token-for-token copy.
    /// </summary>
    public TokenizerSplit TokenizerSplit { get; set; } = TokenizerSplit.Qwen2;

    public bool Lora { get; set; }

    public int LoraRank { get; set; } = 16;

    public float LoraAlpha { get; set; } = 32;
}

public sealed class DataSection
{
    /// <summary>
    /// verl's <c>data.train_files</c>: the questions to train on, JSONL or the original's parquet, in place of the
    /// world's train split. Training runs in the offline world, so every id must be one of the world's questions.
    /// </summary>
    public string TrainFiles { get; set; } = string.Empty;

    /// <summary>verl's <c>data.val_files</c>: the held-out questions every evaluation scores, in place of the world's test split.</summary>
    public string ValFiles { get; set; } = string.Empty;

    /// <summary>Questions per training step.</summary>
    public int TrainBatchSize { get; set; } = 8;

    /// <summary>Questions of the test split evaluated before and after training (0 = all).</summary>
    public int EvalQuestions { get; set; } = 200;

    public int MaxTurns { get; set; } = 10;

    /// <summary>New tokens per turn.</summary>
    public int MaxResponseLength { get; set; } = 2000;

    public int MaxModelLen { get; set; } = 32768;
}

public sealed class RolloutSection
{
    /// <summary>Rollouts per question: the GRPO group size.</summary>
    public int N { get; set; } = 16;

    public float Temperature { get; set; } = 1.0f;

    public float TopP { get; set; } = 1.0f;

    public int TopK { get; set; }

    /// <summary>Seconds a tool call may take before it becomes a timeout observation.</summary>
    public double ToolTimeout { get; set; } = 30;

    /// <summary>
    /// Samples per held-out question in a second, sampled evaluation at the rollout temperature (0: greedy only).
    /// GRPO optimises the sampling policy, so this scores the policy it trains; the greedy evaluation always runs too.
    /// </summary>
    public int ValN { get; set; }
}

public sealed class ActorSection
{
    public double Lr { get; set; } = 1e-6;

    public double WeightDecay { get; set; } = 0.01;

    public double GradClip { get; set; } = 1.0;

    public double ClipRatio { get; set; } = 0.2;

    /// <summary>DAPO's clip-higher; equal to <see cref="ClipRatio"/> by default.</summary>
    public double ClipRatioHigh { get; set; } = 0.2;

    public double KlCoef { get; set; } = 0.001;

    public double EntropyCoeff { get; set; } = 0.001;

    public int PpoEpochs { get; set; } = 1;

    /// <summary>Rollouts per optimizer step; 0 = the whole batch (one update per step, as the original).</summary>
    public int PpoMiniBatchSize { get; set; }

    /// <summary>Token budget of one micro-batch (gradient accumulation splits at it).</summary>
    public int MicroBatchTokens { get; set; } = 12288;

    /// <summary><c>grpo</c> (mean/std) or <c>dr_grpo</c> (mean only, constant loss normaliser).</summary>
    public AdvantageEstimator AdvEstimator { get; set; } = AdvantageEstimator.Grpo;

    /// <summary><c>token-mean</c> or <c>constant</c> (Dr.GRPO's constant normaliser).</summary>
    public LossAggregation LossAggMode { get; set; } = LossAggregation.TokenMean;

    public bool DropZeroVarianceGroups { get; set; }

    public int WarmupSteps { get; set; }

    /// <summary><c>constant</c> or <c>cosine</c>.</summary>
    public LrSchedule LrSchedule { get; set; } = LrSchedule.Constant;
}

public sealed class SftSection
{
    /// <summary>Optimizer steps of the supervised warm start (0 = skip).</summary>
    public int Steps { get; set; }

    public double Lr { get; set; } = 1e-3;

    /// <summary>
    /// <c>constant</c>, or <c>cosine</c>: a decay over the whole warm start (pretraining and SFT) to a tenth of
    /// <see cref="Lr"/>, so the last steps settle instead of hopping between the demonstrations of the last batches.
    /// </summary>
    public LrSchedule LrSchedule { get; set; } = LrSchedule.Constant;

    public int BatchSize { get; set; } = 16;

    /// <summary>A JSONL file of demonstration trajectories; empty = the world's expert demonstrator on the train split.</summary>
    public string Demonstrations { get; set; } = string.Empty;

    /// <summary>
    /// Steps of language-model pretraining on the demonstrations' whole text (tool responses included) before SFT
    /// proper: the tool output repeats names (title, URL, snippet), which teaches a model from scratch to copy.
    /// </summary>
    public int PretrainSteps { get; set; }

    /// <summary>Train questions the expert demonstrates (distinct questions, drawn with the trainer seed).</summary>
    public int NumDemos { get; set; } = 512;

    /// <summary>
    /// The expert's imperfection: <c>varied</c> (vague first queries, unneeded browses, rare give-ups), <c>hasty</c>
    /// (answers the last step from the result snippets with chance <see cref="DemoHastyRate"/>) or <c>none</c>.
    /// </summary>
    public DemoNoise DemoNoise { get; set; } = DemoNoise.Varied;

    /// <summary>With <c>demo_noise: hasty</c>, the chance that a demonstration answers from the snippets without reading.</summary>
    public double DemoHastyRate { get; set; } = 0.6;

    /// <summary>SFT steps between checkpoints (0 = only at the end of SFT).</summary>
    public int SaveFreq { get; set; } = 100;
}

public sealed class TrainerSection
{
    public int TotalSteps { get; set; } = 100;

    public int SaveFreq { get; set; } = 10;

    public int TestFreq { get; set; } = 0;

    public int KeepCheckpoints { get; set; } = 3;

    public ulong Seed { get; set; } = 1;

    public int Threads { get; set; }

    /// <summary><c>local</c> (the in-process engine) or <c>tinker</c> (a Tinker-compatible service; the <c>tinker</c> section).</summary>
    public PolicyBackendKind Backend { get; set; } = PolicyBackendKind.Local;
}
