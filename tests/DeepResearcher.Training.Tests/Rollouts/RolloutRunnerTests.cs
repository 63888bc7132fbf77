using DeepResearcher.ChatModels;
using DeepResearcher.Core.Agent;
using DeepResearcher.Evaluation.Judging;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Core.Rewards;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Testing;
using DeepResearcher.Training.Rewards;
using DeepResearcher.Training.Rollouts;

namespace DeepResearcher.Training.Tests.Rollouts;

public class RolloutRunnerTests
{
    private static readonly CharTokenizer Tokenizer = new("<|im_end|>", "<|im_start|>");

    [Fact]
    public async Task Runs_G_episodes_per_question_and_computes_group_relative_advantages()
    {
        var policy = new AlternatingPolicy(Tokenizer);
        var runner = new RolloutRunner(policy, NewToolbox(), new RolloutOptions
        {
            GroupSize = 4,
            MaxConcurrentEpisodes = 3,
            Agent = new ResearchAgentOptions { Today = new DateOnly(2026, 1, 1) },
        });
        RolloutQuestion[] questions = [new("q1", "What is the capital of Freedonia?", ["Fredville"]), new("q2", "Capital of Sylvania?", ["Sylvan City"])];

        IReadOnlyList<RolloutGroup> groups = await runner.RunAsync(questions, step: 3, TestContext.Current.CancellationToken);

        Assert.Equal(2, groups.Count);
        RolloutGroup first = groups[0];
        Assert.Equal(4, first.Trajectories.Count);
        // Episodes 0 and 2 answer correctly (reward 1), 1 and 3 answer wrongly (0): mean 0.5, unbiased std √(1/3).
        Assert.Equal([1.0, 0.0, 1.0, 0.0], first.Rewards);
        double std = Math.Sqrt(1.0 / 3);
        Assert.Equal(0.5 / (std + 1e-6), first.Advantages[0], 1e-9);
        Assert.Equal(-0.5 / (std + 1e-6), first.Advantages[1], 1e-9);
        Assert.All(first.Trajectories, t => Assert.Equal(TerminationReason.Answered, t.Termination));
        Assert.Equal("s3-q1-2", first.Trajectories[2].Id);
        Assert.Equal("q1", first.Trajectories[2].Tags["group"]);
        Assert.True(policy.MaxInFlight <= 3, $"at most 3 episodes in flight, saw {policy.MaxInFlight}");
    }

    [Fact]
    public async Task A_policy_sequence_aligns_targets_masks_and_sampling_logprobs()
    {
        var runner = new RolloutRunner(new AlternatingPolicy(Tokenizer), NewToolbox(), new RolloutOptions
        {
            GroupSize = 1,
            Agent = new ResearchAgentOptions { Today = new DateOnly(2026, 1, 1) },
        });
        IReadOnlyList<RolloutGroup> groups = await runner.RunAsync([new RolloutQuestion("q1", "What is the capital of Freedonia?", ["Fredville"])], 0, TestContext.Current.CancellationToken);
        Trajectory trajectory = groups[0].Trajectories[0];

        PolicySequence sequence = PolicySequence.FromTrajectory(trajectory, 0.75);

        int[] ids = trajectory.TokenIds();
        byte[] mask = trajectory.LossMask();
        Assert.Equal(ids[..^1], sequence.Inputs);
        Assert.Equal(ids[1..], sequence.Targets);
        Assert.Equal(mask[1..], sequence.Mask);
        Assert.Equal(mask.Count(m => m == 1), sequence.PolicyTokens); // the prompt always comes first, so no policy token is lost by the shift
        // Policy targets carry the sampler's log-probabilities (the scripted policy gives −0.01·(k+1) to its k-th token), the rest 0.
        int firstPolicy = Array.IndexOf(sequence.Mask, (byte)1);
        Assert.Equal(-0.01f, sequence.OldLogProbs[firstPolicy]);
        Assert.All(Enumerable.Range(0, sequence.Length).Where(i => sequence.Mask[i] == 0), i => Assert.Equal(0f, sequence.OldLogProbs[i]));
        Assert.Equal(0.75f, sequence.Advantage);
        // Every policy turn ends with <|im_end|>, and it is a trained target.
        int imEnd = Tokenizer.Encode("<|im_end|>")[0];
        Assert.Equal(2, Enumerable.Range(0, sequence.Length).Count(i => sequence.Targets[i] == imEnd && sequence.Mask[i] == 1));
    }

    [Fact]
    public async Task The_judge_reward_asks_an_llm_judge_and_skips_it_for_exact_matches()
    {
        await using ScriptedOpenAIServer judgeServer = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
        judgeServer.Fallback = ScriptedReply.Text("{\"rationale\": \"a lenient judge\", \"judgement\": \"correct\"}");
        await using JudgeCache cache = await JudgeCache.OpenAsync(Path.Combine(Path.GetTempPath(), "dr-judge-" + Guid.NewGuid().ToString("N") + ".jsonl"), TestContext.Current.CancellationToken);
        var reward = new JudgeReward(new MbeJudge(new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = judgeServer.BaseUrl, Model = "judge", ApiKey = "k" }), cache));
        var runner = new RolloutRunner(new AlternatingPolicy(Tokenizer), NewToolbox(), new RolloutOptions
        {
            GroupSize = 4,
            Reward = reward,
            Agent = new ResearchAgentOptions { Today = new DateOnly(2026, 1, 1) },
        });

        IReadOnlyList<RolloutGroup> groups = await runner.RunAsync([new RolloutQuestion("q1", "What is the capital of Freedonia?", ["Fredville"])], 0, TestContext.Current.CancellationToken);

        // "Fredville" is an exact match (no call); the judge calls "Paris" correct, once for both episodes that said it.
        Assert.Equal([1.0, 1.0, 1.0, 1.0], groups[0].Rewards);
        Assert.Single(judgeServer.Requests);
        Assert.Equal(0, reward.Fallbacks);
    }

    [Fact]
    public async Task Exact_match_and_a_judge_without_a_verdict_fall_back_without_mislabelling()
    {
        await using ScriptedOpenAIServer judgeServer = await ScriptedOpenAIServer.StartAsync(TestContext.Current.CancellationToken);
        judgeServer.Fallback = ScriptedReply.Text("I cannot say.");
        await using JudgeCache cache = await JudgeCache.OpenAsync(Path.Combine(Path.GetTempPath(), "dr-judge-" + Guid.NewGuid().ToString("N") + ".jsonl"), TestContext.Current.CancellationToken);
        var judge = new JudgeReward(new MbeJudge(new OpenAIChatModel(new OpenAIChatModelOptions { BaseUrl = judgeServer.BaseUrl, Model = "judge", ApiKey = "k", MaxRetries = 0 }), cache, maxAttempts: 2));
        RolloutQuestion question = new("q1", "What is the capital of Freedonia?", ["Fredville"]);

        async Task<double[]> RewardsAsync(IRolloutReward reward) => (await new RolloutRunner(new AlternatingPolicy(Tokenizer), NewToolbox(), new RolloutOptions
        {
            GroupSize = 2,
            Reward = reward,
            Agent = new ResearchAgentOptions { Today = new DateOnly(2026, 1, 1) },
        }).RunAsync([question], 0, TestContext.Current.CancellationToken))[0].Rewards;

        double[] exact = await RewardsAsync(new ExactMatchReward());
        double[] judged = await RewardsAsync(judge);

        Assert.Equal([1.0, 0.0], exact);
        // The judge never gives a verdict for "Paris": set-F1 (0) stands in, and the fallback is counted.
        Assert.Equal([1.0, 0.0], judged);
        Assert.Equal(1, judge.Fallbacks);
    }

    [Fact]
    public async Task The_rewards_score_with_the_configured_metric_rules()
    {
        var trajectory = new Trajectory { Id = "t", Question = "q", Termination = TerminationReason.Answered, FinalAnswer = "“Fredville”" };
        trajectory.Turns.Add(new TurnRecord { Index = 1, Prefill = string.Empty, Generated = "<think>x</think><answer>“Fredville”</answer>", Action = TurnAction.Answer, Answer = "“Fredville”" });
        RolloutQuestion question = new("q1", "What is the capital of Freedonia?", ["Fredville"]);
        CancellationToken ct = TestContext.Current.CancellationToken;

        Assert.Equal(0.0, await new SetF1Reward().ScoreAsync(question, trajectory, ct));
        Assert.Equal(1.0, await new SetF1Reward(MetricRules.UnicodePunctuation).ScoreAsync(question, trajectory, ct));
        Assert.Equal(0.0, await new ExactMatchReward().ScoreAsync(question, trajectory, ct));
        Assert.Equal(1.0, await new ExactMatchReward(MetricRules.UnicodePunctuation).ScoreAsync(question, trajectory, ct));
    }

    [Fact]
    public void Micro_batches_respect_the_token_budget()
    {
        PolicySequence Seq(int n) => new(new int[n], new int[n], new byte[n], new float[n], 0);
        List<List<PolicySequence>> batches = MicroBatches.Pack([Seq(5), Seq(4), Seq(3), Seq(12), Seq(1)], tokenBudget: 10);

        // 5+4 = 9 fits; +3 would be 12; 3+12 would be 15; 12 alone exceeds the budget but must still go; 12+1 would be 13.
        Assert.Equal([9, 3, 12, 1], batches.Select(b => b.Sum(s => s.Length)));
    }

    private static ScriptedToolbox NewToolbox()
    {
        var toolbox = new ScriptedToolbox();
        toolbox.SearchResults["capital"] = [new SearchHit("Freedonia", "https://wiki.example/F", "Fredville is the capital of Freedonia.")];
        return toolbox;
    }

    /// <summary>Searches once, then answers right on even episodes and wrong on odd ones.</summary>
    private sealed class AlternatingPolicy(ITextTokenizer tokenizer) : ITokenLevelChatModel
    {
        private int _inFlight;

        public int MaxInFlight { get; private set; }

        public ITextTokenizer Tokenizer => tokenizer;

        public string Name => "alternating";

        public bool SupportsPrefill => true;

        public async Task<ModelReply> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken)
        {
            int now = Interlocked.Increment(ref _inFlight);
            MaxInFlight = Math.Max(MaxInFlight, now);
            await Task.Delay(5, cancellationToken);
            Interlocked.Decrement(ref _inFlight);

            bool searched = request.Messages.Count > 2;
            int episode = int.Parse(request.TrajectoryId[(request.TrajectoryId.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            bool sylvania = request.Messages[1].Content.Contains("Sylvania", StringComparison.Ordinal);
            string text = !searched
                ? "search</think>\n<tool_call>\n{\"name\": \"web_search\", \"arguments\": {\"query\": [\"capital\"]}}\n</tool_call><|im_end|>"
                : $"done</think>\n<answer>{(episode % 2 == 0 ? (sylvania ? "Sylvan City" : "Fredville") : "Paris")}</answer><|im_end|>";
            int[] ids = tokenizer.Encode(text);
            return new ModelReply { Text = text, TokenIds = ids, LogProbs = [.. ids.Select((_, k) => -0.01f * (k + 1))], CompletionTokens = ids.Length };
        }
    }
}
