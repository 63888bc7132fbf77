using DeepResearcher.Engine.Model;
using DeepResearcher.Engine.Optim;
using DeepResearcher.Engine.Sampling;
using DeepResearcher.Engine.Tests.Model;
using DeepResearcher.Engine.Tokenization;

namespace DeepResearcher.Engine.Tests.Sampling;

/// <summary>End-to-end generation through the continuous-batching sampler.</summary>
public sealed class ContinuousBatchingSamplerTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Greedy_ReproducesFixtureIdsLogitsAndLogProbs()
    {
        using var fixture = new Qwen2Fixture();
        var prompt = fixture.ReadInts("decode.prompt");
        var expectedIds = fixture.ReadInts("decode.ids");
        var expectedLogits = fixture.Expected.ReadFloat32("decode.logits");
        var model = Qwen2Fixture.LoadModel();
        int vocab = model.Config.VocabSize;

        await using var sampler = new ContinuousBatchingSampler(model);
        var result = await sampler.SubmitAsync(
            new SamplingRequest(prompt, new DecodingOptions { Temperature = 0, MaxNewTokens = expectedIds.Length }), Ct);
        Assert.Equal(expectedIds, result.TokenIds);
        Assert.Equal(StopReason.MaxTokens, result.StopReason);
        for (int s = 0; s < expectedIds.Length; s++)
        {
            var row = expectedLogits.AsSpan(s * vocab, vocab);
            double logSumExp = Math.Log(row.ToArray().Sum(l => Math.Exp(l)));
            Assert.Equal(row[expectedIds[s]] - logSumExp, result.LogProbs[s], 1e-5);
        }

        // The per-step logits of the same greedy walk over the KV cache.
        var runner = new CachedTransformer(model, maxRows: 8);
        var cache = runner.CreateCache(prompt.Length + expectedIds.Length);
        var stepLogits = new float[expectedIds.Length * vocab];
        runner.Prefill(cache, prompt, stepLogits.AsSpan(0, vocab));
        for (int s = 1; s < expectedIds.Length; s++)
            runner.Decode([cache], [expectedIds[s - 1]], stepLogits.AsSpan(s * vocab, vocab));
        var comparison = TensorComparison.Compare("decode.logits", stepLogits, expectedLogits);
        output.WriteLine(comparison.ToString());
        TensorComparison.AssertAll([comparison], 1e-5);
    }

    [Fact]
    public async Task SampledLogProbs_EqualLogSoftmaxOfFullForward()
    {
        var model = RandomModels.Create(RandomModels.TinyLlama, seed: 21);
        await using var sampler = new ContinuousBatchingSampler(model);
        var prompt = RandomModels.Tokens(7, model.Config.VocabSize, 1);
        var options = new DecodingOptions { Temperature = 0.7f, TopK = 20, TopP = 0.95f, MaxNewTokens = 12, Seed = 4 };
        var result = await sampler.SubmitAsync(new SamplingRequest(prompt, options), Ct);
        Assert.Equal(12, result.TokenIds.Length);

        int[] sequence = [.. prompt, .. result.TokenIds];
        var tokens = sequence[..^1];
        var logProbs = new float[tokens.Length];
        model.ForwardLogProbs(TokenBatch.Single(tokens), sequence[1..], logProbs);
        var expected = logProbs[(prompt.Length - 1)..];
        var comparison = TensorComparison.Compare("logprobs", result.LogProbs, expected);
        output.WriteLine(comparison.ToString());
        Assert.True(comparison.MaxAbs < 1e-5, comparison.ToString());
        // The sampling distribution is sharper than the policy (T < 1, truncated), so its log-probs are higher.
        for (int i = 0; i < result.TokenIds.Length; i++) Assert.True(result.SamplingLogProbs[i] >= result.LogProbs[i] - 1e-6);
    }

    [Fact]
    public async Task SeededSampling_IsDeterministicAndIndependentOfTheBatch()
    {
        var model = RandomModels.Create(RandomModels.TinyQwen, seed: 2);
        int vocab = model.Config.VocabSize;
        var prompt = RandomModels.Tokens(5, vocab, 9);
        var options = new DecodingOptions { TopP = 0.9f, MaxNewTokens = 20, Seed = 1234 };
        await using var sampler = new ContinuousBatchingSampler(model, options: new ContinuousBatchingOptions { MaxBatchSize = 6 });
        var alone = await sampler.SubmitAsync(new SamplingRequest(prompt, options), Ct);
        var again = await sampler.SubmitAsync(new SamplingRequest(prompt, options), Ct);
        Assert.Equal(alone.TokenIds, again.TokenIds);

        var others = Enumerable.Range(0, 5).Select(i => sampler.SubmitAsync(
            new SamplingRequest(RandomModels.Tokens(3 + 4 * i, vocab, 50 + i), options with { Seed = i, MaxNewTokens = 5 + 7 * i }), Ct)).ToList();
        var batched = await sampler.SubmitAsync(new SamplingRequest(prompt, options), Ct);
        await Task.WhenAll(others);
        Assert.Equal(alone.TokenIds, batched.TokenIds);
        Assert.Equal(alone.LogProbs, batched.LogProbs);
        Assert.Equal(alone.SamplingLogProbs, batched.SamplingLogProbs);

        var otherSeed = await sampler.SubmitAsync(new SamplingRequest(prompt, options with { Seed = 99 }), Ct);
        Assert.NotEqual(alone.TokenIds, otherSeed.TokenIds);
    }

    [Fact]
    public async Task TwentyConcurrentRequests_ThroughBatchOfFour_MatchRunningAlone()
    {
        var model = RandomModels.Create(RandomModels.TinyQwen, seed: 6);
        int vocab = model.Config.VocabSize;
        var requests = Enumerable.Range(0, 20).Select(i => new SamplingRequest(
            RandomModels.Tokens(1 + (i * 7) % 23, vocab, 300 + i),
            new DecodingOptions { Temperature = 0.9f, TopK = i % 3 == 0 ? 10 : 0, MaxNewTokens = 2 + (i * 5) % 17, Seed = i })).ToArray();

        var alone = new List<SamplingResult>();
        // Small prefill chunks, so prompts are prefilled in several passes interleaved with other sequences' decode steps.
        await using (var single = new ContinuousBatchingSampler(model, options: new ContinuousBatchingOptions { MaxBatchSize = 1, PrefillChunkTokens = 5 }))
            foreach (var request in requests) alone.Add(await single.SubmitAsync(request, Ct));

        await using var sampler = new ContinuousBatchingSampler(model, options: new ContinuousBatchingOptions { MaxBatchSize = 4, MaxTotalTokens = 200, PrefillChunkTokens = 5 });
        var batched = await Task.WhenAll(requests.Select(r => Task.Run(() => sampler.SubmitAsync(r, Ct), Ct)));
        Assert.Equal(4, sampler.PeakBatchSize);
        for (int i = 0; i < requests.Length; i++)
        {
            Assert.Equal(alone[i].TokenIds, batched[i].TokenIds);
            Assert.Equal(alone[i].LogProbs, batched[i].LogProbs);
            Assert.Equal(requests[i].Options.MaxNewTokens, batched[i].TokenIds.Length);
        }
    }

    [Fact]
    public async Task LongPrompt_IsPrefilledInChunksBetweenDecodeSteps()
    {
        var model = RandomModels.Create(RandomModels.TinyQwen, seed: 7);
        int vocab = model.Config.VocabSize;
        await using var sampler = new ContinuousBatchingSampler(model, options: new ContinuousBatchingOptions { MaxBatchSize = 2, PrefillChunkTokens = 8 });
        // OnToken runs on the decode thread, so these counters are only touched there (and read after the fact).
        int runningTokens = 0, runningTokensAtLongStart = -1;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = sampler.SubmitAsync(new SamplingRequest(RandomModels.Tokens(3, vocab, 1), new DecodingOptions { MaxNewTokens = 400 })
        {
            OnToken = _ =>
            {
                if (++runningTokens == 1) started.TrySetResult();
            },
        }, Ct);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        int before = Volatile.Read(ref runningTokens);
        var longPrompt = sampler.SubmitAsync(new SamplingRequest(RandomModels.Tokens(100, vocab, 2), new DecodingOptions { MaxNewTokens = 2 })
        {
            OnToken = _ =>
            {
                if (runningTokensAtLongStart < 0) runningTokensAtLongStart = runningTokens;
            },
        }, Ct);
        await longPrompt;
        await running;
        // 100 prompt tokens in chunks of 8 take 13 loop iterations, each with a decode step of the running sequence.
        Assert.True(runningTokensAtLongStart - before >= 12, $"the running sequence made {runningTokensAtLongStart - before} tokens during the prefill");
    }

    [Fact]
    public async Task StopToken_EndsTheSequenceAndIsIncluded()
    {
        using var fixture = new Qwen2Fixture();
        var prompt = fixture.ReadInts("decode.prompt");
        var ids = fixture.ReadInts("decode.ids");
        int stopAt = Enumerable.Range(2, ids.Length - 2).First(i => Array.IndexOf(ids, ids[i]) == i);
        await using var sampler = new ContinuousBatchingSampler(Qwen2Fixture.LoadModel());
        var result = await sampler.SubmitAsync(new SamplingRequest(prompt,
            new DecodingOptions { Temperature = 0, MaxNewTokens = 50, StopTokenIds = [ids[stopAt], 255 - ids[stopAt]] }), Ct);
        Assert.Equal(ids[..(stopAt + 1)], result.TokenIds);
        Assert.Equal(StopReason.StopToken, result.StopReason);
    }

    [Fact]
    public async Task StopString_EndsTheSequenceOnceTheTextContainsIt()
    {
        var tokenizer = BpeTrainer.Train(["the quick brown fox jumps over the lazy dog; tools call <search> and </search> again"], 300, ["<|im_end|>"]);
        var config = RandomModels.TinyQwen with { VocabSize = tokenizer.VocabSize };
        var model = RandomModels.Create(config, seed: 12);
        // Make the model favour printable ASCII so the generated text has characters to stop on.
        for (int id = 0; id < tokenizer.VocabSize; id++)
        {
            var text = tokenizer.Decode([id]);
            if (text.Length == 0 || text.Any(c => c < ' ' || c > '~'))
                Array.Fill(model.EmbedTokens.Data, 0f, id * config.HiddenSize, config.HiddenSize);
        }
        await using var sampler = new ContinuousBatchingSampler(model, tokenizer);
        var prompt = tokenizer.Encode("the quick");
        var options = new DecodingOptions { Temperature = 0, MaxNewTokens = 30 };
        var free = await sampler.SubmitAsync(new SamplingRequest(prompt, options), Ct);
        Assert.NotNull(free.Text);
        output.WriteLine(free.Text);
        int at = Enumerable.Range(3, free.Text.Length - 5).First(i => char.IsAsciiLetterOrDigit(free.Text[i]) || free.Text[i] == ' ');
        var stop = free.Text.Substring(at, 2);

        var stopped = await sampler.SubmitAsync(new SamplingRequest(prompt, options with { StopStrings = ["\u0001never", stop] }), Ct);
        Assert.Equal(StopReason.StopString, stopped.StopReason);
        Assert.Equal(stop, stopped.StopString);
        Assert.Equal(free.TokenIds[..stopped.TokenIds.Length], stopped.TokenIds);
        Assert.Contains(stop, stopped.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(stop, tokenizer.Decode(stopped.TokenIds[..^1]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_FreesTheSlot()
    {
        var model = RandomModels.Create(RandomModels.TinyQwen, seed: 4);
        int vocab = model.Config.VocabSize;
        await using var sampler = new ContinuousBatchingSampler(model, options: new ContinuousBatchingOptions { MaxBatchSize = 1, MaxTotalTokens = 1_000_000 });
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Far more tokens than the test could wait for: it only ends by cancellation.
        var endless = sampler.SubmitAsync(new SamplingRequest(RandomModels.Tokens(4, vocab, 1), new DecodingOptions { MaxNewTokens = 900_000 })
        {
            OnToken = _ => started.TrySetResult(),
        }, cancel.Token);
        var queuedAndCancelled = sampler.SubmitAsync(new SamplingRequest([1, 2], new DecodingOptions { MaxNewTokens = 3 }), new CancellationToken(canceled: true));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queuedAndCancelled);
        using var cancelQueued = new CancellationTokenSource();
        var queued = sampler.SubmitAsync(new SamplingRequest([1, 2], new DecodingOptions { MaxNewTokens = 3 }), cancelQueued.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await cancelQueued.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued.WaitAsync(TimeSpan.FromSeconds(10), Ct));

        var waiting = sampler.SubmitAsync(new SamplingRequest(RandomModels.Tokens(3, vocab, 2), new DecodingOptions { MaxNewTokens = 4 }), Ct);
        await Task.Delay(50, Ct);
        Assert.False(waiting.IsCompleted, "the only slot is taken");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => endless);
        var result = await waiting.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(4, result.TokenIds.Length);
    }

    [Fact]
    public async Task ConversationTurns_ReuseTheCachedPrefixAndMatchAColdStart()
    {
        var model = RandomModels.Create(RandomModels.TinyLlama, seed: 31);
        int vocab = model.Config.VocabSize;
        var options = new DecodingOptions { Temperature = 0, MaxNewTokens = 8 };
        var prompt = RandomModels.Tokens(9, vocab, 1);
        await using var warm = new ContinuousBatchingSampler(model, options: new ContinuousBatchingOptions { MaxBatchSize = 2 });
        await using var cold = new ContinuousBatchingSampler(model);

        var first = await warm.SubmitAsync(new SamplingRequest(prompt, options) { ConversationId = "a" }, Ct);
        // An unrelated conversation in between must not disturb the kept cache.
        await warm.SubmitAsync(new SamplingRequest(RandomModels.Tokens(5, vocab, 2), options) { ConversationId = "b" }, Ct);
        int[] secondPrompt = [.. prompt, .. first.TokenIds, .. RandomModels.Tokens(4, vocab, 3)];
        var second = await warm.SubmitAsync(new SamplingRequest(secondPrompt, options) { ConversationId = "a" }, Ct);
        Assert.Equal(prompt.Length + first.TokenIds.Length - 1, warm.ReusedPromptTokens);

        var reference = await cold.SubmitAsync(new SamplingRequest(secondPrompt, options), Ct);
        Assert.Equal(reference.TokenIds, second.TokenIds);
        var comparison = TensorComparison.Compare("logprobs", second.LogProbs, reference.LogProbs);
        Assert.True(comparison.MaxAbs < 1e-5, comparison.ToString());

        // A prompt that diverges early keeps only the shared part; a released conversation starts cold.
        int[] edited = [.. prompt[..3], (prompt[3] + 1) % vocab, .. prompt[4..]];
        long before = warm.ReusedPromptTokens;
        var divergent = await warm.SubmitAsync(new SamplingRequest(edited, options) { ConversationId = "a" }, Ct);
        Assert.Equal(before + 3, warm.ReusedPromptTokens);
        Assert.Equal((await cold.SubmitAsync(new SamplingRequest(edited, options), Ct)).TokenIds, divergent.TokenIds);
        warm.ReleaseConversation("a");
        await warm.SubmitAsync(new SamplingRequest(edited, options) { ConversationId = "a" }, Ct);
        Assert.Equal(before + 3, warm.ReusedPromptTokens);

        // New weights make every kept cache stale: once the weight version moves the next turn starts cold.
        model.BumpWeightVersion();
        await warm.SubmitAsync(new SamplingRequest(edited, options) { ConversationId = "a" }, Ct);
        Assert.Equal(before + 3, warm.ReusedPromptTokens);
    }

    [Theory]
    [InlineData(InferenceWeightType.Float32)]
    [InlineData(InferenceWeightType.BFloat16)]
    public async Task AnOptimizerStep_IsSeenByTheNextSample_WithoutARefreshCall(InferenceWeightType weightType)
    {
        var model = RandomModels.Create(RandomModels.TinyQwen, seed: 41);
        int vocab = model.Config.VocabSize;
        var options = new DecodingOptions { Temperature = 0, MaxNewTokens = 6 };
        var prompt = RandomModels.Tokens(12, vocab, 1);
        await using var sampler = new ContinuousBatchingSampler(model, options: new ContinuousBatchingOptions { WeightType = weightType });
        var first = await sampler.SubmitAsync(new SamplingRequest(prompt, options) { ConversationId = "a" }, Ct);
        long reusedBefore = sampler.ReusedPromptTokens;

        TrainOneStep(model, prompt);

        Assert.True(first.WeightVersion < model.WeightVersion, "the optimizer step must bump the weight version");
        // The conversation's kept cache was computed by the old weights: the next turn must not reuse it.
        int[] secondPrompt = [.. prompt, .. first.TokenIds, .. RandomModels.Tokens(3, vocab, 2)];
        var second = await sampler.SubmitAsync(new SamplingRequest(secondPrompt, options) { ConversationId = "a" }, Ct);
        Assert.Equal(reusedBefore, sampler.ReusedPromptTokens);
        Assert.Equal(model.WeightVersion, second.WeightVersion);

        // What a sampler built on the new weights samples, to the bit.
        await using var fresh = new ContinuousBatchingSampler(model, options: new ContinuousBatchingOptions { WeightType = weightType });
        var expected = await fresh.SubmitAsync(new SamplingRequest(secondPrompt, options), Ct);
        Assert.Equal(expected.TokenIds, second.TokenIds);
        Assert.Equal(expected.LogProbs, second.LogProbs);
    }

    /// <summary>One AdamW step on the cross-entropy of <paramref name="tokens"/>, large enough to move greedy decoding.</summary>
    private static void TrainOneStep(TransformerModel model, int[] tokens)
    {
        var optimizer = new AdamW(model.TrainableParameters, new AdamWOptions { WeightDecay = 0 });
        var batch = TokenBatch.Single(tokens[..^1]);
        var logProbs = new float[batch.TokenCount];
        var gradient = new float[batch.TokenCount];
        model.ForwardLogProbs(batch, tokens[1..], logProbs);
        TokenLoss.MaskedMeanNegativeLogLikelihood(logProbs, Enumerable.Repeat((byte)1, batch.TokenCount).ToArray(), gradient);
        model.Backward(gradient);
        optimizer.Step(0.05f);
    }

    [Fact]
    public async Task KeptConversations_GiveWayWhenTheCacheBudgetIsNeeded()
    {
        var model = RandomModels.Create(RandomModels.TinyQwen, seed: 32);
        var options = new DecodingOptions { Temperature = 0, MaxNewTokens = 10 };
        await using var sampler = new ContinuousBatchingSampler(model, options: new ContinuousBatchingOptions { MaxBatchSize = 2, MaxTotalTokens = 40 });
        var prompt = RandomModels.Tokens(20, model.Config.VocabSize, 1);
        var first = await sampler.SubmitAsync(new SamplingRequest(prompt, options) { ConversationId = "a" }, Ct);
        // 30 reserved tokens + 29 kept ones exceed 40: the kept cache is evicted and this request still runs.
        var other = await sampler.SubmitAsync(new SamplingRequest(RandomModels.Tokens(20, model.Config.VocabSize, 2), options) { ConversationId = "b" }, Ct);
        Assert.Equal(10, other.TokenIds.Length);
        await sampler.SubmitAsync(new SamplingRequest([.. prompt, .. first.TokenIds], options) { ConversationId = "a" }, Ct);
        Assert.Equal(0, sampler.ReusedPromptTokens);
    }

    [Fact]
    public async Task BadRequests_AreRejectedWithTheirProblem()
    {
        var model = RandomModels.Create(RandomModels.TinyQwen, seed: 1);
        await using var sampler = new ContinuousBatchingSampler(model, options: new ContinuousBatchingOptions { MaxTotalTokens = 64 });
        var tooLong = await Assert.ThrowsAsync<ArgumentException>(() => sampler.SubmitAsync(new SamplingRequest(new int[60], new DecodingOptions { MaxNewTokens = 10 }), Ct));
        Assert.Contains("cache budget of 64", tooLong.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => sampler.SubmitAsync(new SamplingRequest([3, 1000], new DecodingOptions()), Ct));
        Assert.Contains("1000", unknown.Message, StringComparison.Ordinal);
        var stops = await Assert.ThrowsAsync<ArgumentException>(() => sampler.SubmitAsync(new SamplingRequest([3], new DecodingOptions { MaxNewTokens = 4, StopStrings = ["x"] }), Ct));
        Assert.Contains("tokenizer", stops.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentException>(() => sampler.SubmitAsync(new SamplingRequest([], new DecodingOptions()), Ct));
        var missing = await Assert.ThrowsAsync<FileNotFoundException>(() => ContinuousBatchingSampler.LoadAsync(Qwen2Fixture.Directory, null, Ct));
        Assert.Contains("tokenizer.json", missing.Message, StringComparison.Ordinal);
    }
}
