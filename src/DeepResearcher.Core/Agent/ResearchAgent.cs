using System.Diagnostics;
using System.Globalization;
using DeepResearcher.Core.Observability;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Core.Protocol.Parsing;
using DeepResearcher.Core.Protocol.Rendering;
using DeepResearcher.Core.Trajectories;

namespace DeepResearcher.Core.Agent;

/// <summary>
/// The multi-turn research loop: think, call a tool or answer, read the tool's response, until an answer, a protocol
/// error or a limit. The context is built incrementally from the template's pieces, so it is byte-identical to the
/// template's rendering of the whole conversation, and every piece is kept as a masked segment of the trajectory.
/// </summary>
public sealed class ResearchAgent
{
    private readonly IChatModel _model;
    private readonly IToolbox _toolbox;
    private readonly ResearchAgentOptions _options;
    private readonly TurnParser _parser;
    private readonly ObservationFormatter _formatter;
    private readonly IReadOnlyList<ToolSchema> _tools;
    private readonly IReadOnlyList<ToolSchema> _promptTools;

    public ResearchAgent(IChatModel model, IToolbox toolbox, ResearchAgentOptions? options = null)
    {
        _model = model;
        _toolbox = toolbox;
        _options = options ?? new ResearchAgentOptions();
        if (_options.MaxTurns < 1)
        {
            throw new ArgumentException($"MaxTurns must be at least 1 (got {_options.MaxTurns}).", nameof(options));
        }

        _tools = _options.SearchOnly ? ResearchTools.SearchOnly : ResearchTools.All;
        _promptTools = _options.ShowToolSchemas ? _tools : [];
        _parser = new TurnParser(new TurnParserOptions
        {
            MaxQueriesPerSearch = _options.MaxQueriesPerSearch,
            KnownTools = [.. _tools.Select(t => t.Name)],
        });
        _formatter = new ObservationFormatter(_options.ObservationFormat);
    }

    public ResearchAgentOptions Options => _options;

    /// <param name="progress">Told about each turn as soon as it is complete (for live output).</param>
    public async Task<Trajectory> RunAsync(
        string question,
        CancellationToken cancellationToken,
        string? questionId = null,
        string? trajectoryId = null,
        IProgress<TurnRecord>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        IPromptRenderer template = _options.Template;
        ITextTokenizer? tokenizer = (_model as ITokenLevelChatModel)?.Tokenizer;
        string prefill = _model.SupportsPrefill ? _options.Prefill : string.Empty;
        string systemPrompt = _options.SystemPrompt ?? SystemPrompt.Render(_options.Today ?? DateOnly.FromDateTime(DateTime.UtcNow), _options.SearchOnly);

        var trajectory = new Trajectory
        {
            Id = trajectoryId ?? Guid.NewGuid().ToString("N"),
            Question = question,
            QuestionId = questionId,
            Model = _model.Name,
            Template = template.Name,
        };
        using Activity? span = ResearchTracing.Source.StartActivity(ActivityKind.Internal, tags:
            [new(ResearchTracing.TrajectoryIdTag, trajectory.Id), new(ResearchTracing.QuestionIdTag, questionId), new(ResearchTracing.ModelTag, _model.Name)], name: "research");
        if (span is not null)
        {
            trajectory.Tags[ResearchTracing.TraceIdKey] = span.TraceId.ToHexString();
        }

        var context = new ContextBuffer(trajectory, tokenizer);
        var messages = new List<ChatMessage>
        {
            ChatMessage.System(template.SystemContent(systemPrompt, _promptTools)),
            ChatMessage.User(question),
        };
        (string beforeQuestion, string afterQuestion) = Around(template.RenderPrompt(systemPrompt, _promptTools, Marker));
        context.Append(SegmentKind.Prompt, 0, (beforeQuestion, false), (question, true), (afterQuestion + prefill, false));

        try
        {
            for (int turn = 1; turn <= _options.MaxTurns; turn++)
            {
                int room = _options.MaxContextTokens - context.TokenCount;
                if (room <= 0)
                {
                    Finish(trajectory, TerminationReason.ContextOverflow, $"the context reached {context.TokenCount} tokens of {_options.MaxContextTokens} before turn {turn}");
                    break;
                }

                using Activity? turnSpan = ResearchTracing.Source.StartActivity(ActivityKind.Internal, tags:
                    [new(ResearchTracing.TrajectoryIdTag, trajectory.Id), new(ResearchTracing.TurnTag, turn)], name: "research.turn");
                var request = new GenerationRequest
                {
                    Messages = messages,
                    Prefill = prefill,
                    Sampling = _options.Sampling with { MaxTokens = Math.Min(_options.MaxTokensPerTurn, room) },
                    ContextTokenIds = tokenizer is null ? null : context.TokenIds,
                    TrajectoryId = trajectory.Id,
                };

                var modelClock = Stopwatch.StartNew();
                ModelReply reply;
                using (Activity? generation = ResearchTracing.Source.StartActivity(ActivityKind.Client, tags:
                    [new(ResearchTracing.TrajectoryIdTag, trajectory.Id), new(ResearchTracing.ModelTag, _model.Name)], name: "research.generate"))
                {
                    try
                    {
                        reply = await _model.GenerateAsync(request, cancellationToken);
                        generation?.SetTag("deepresearcher.completion_tokens", reply.CompletionTokens);
                        generation?.SetTag("deepresearcher.finish_reason", reply.FinishReason.ToString().ToLowerInvariant());
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                    {
                        generation?.SetStatus(ActivityStatusCode.Error, ex.Message);
                        Finish(trajectory, TerminationReason.ModelFailure, $"the model call of turn {turn} failed: {ex.Message}");
                        break;
                    }
                }

                double modelMs = modelClock.Elapsed.TotalMilliseconds;
                trajectory.Usage = trajectory.Usage.Add(reply.PromptTokens, reply.CompletionTokens);
                context.AppendPolicy(reply, turn);
                context.ObserveUsage(reply);

                string generated = reply.Text;
                bool endedTurn = generated.EndsWith(template.EndOfTurn, StringComparison.Ordinal);
                string turnText = prefill + (endedTurn ? generated[..^template.EndOfTurn.Length] : generated);
                ParsedTurn parsed = _parser.Parse(turnText);
                if (parsed is MalformedTurn tooLong && reply.FinishReason == FinishReason.Length)
                {
                    parsed = new MalformedTurn(new ProtocolError(ProtocolErrorKind.TurnTooLong,
                        $"the turn hit the {request.Sampling.MaxTokens}-token limit before it was complete ({tooLong.Error.Message})"));
                }

                string closing = endedTurn ? string.Empty : template.EndOfTurn;
                var record = new TurnRecord
                {
                    Index = turn,
                    Prefill = prefill,
                    Generated = generated,
                    Action = parsed switch { AnswerTurn => TurnAction.Answer, ToolCallTurn => TurnAction.ToolCall, _ => TurnAction.Error },
                    Think = parsed is MalformedTurn ? null : parsed.Think,
                    FinishReason = reply.FinishReason.ToString().ToLowerInvariant(),
                    CompletionTokens = reply.CompletionTokens,
                    ModelLatencyMs = modelMs,
                };
                messages.Add(ChatMessage.Assistant(turnText));
                turnSpan?.SetTag(ResearchTracing.ActionTag, record.Action.ToString().ToLowerInvariant());

                switch (parsed)
                {
                    case AnswerTurn answer:
                        AddTurn(trajectory, progress, record with { Answer = answer.Answer });
                        if (closing.Length > 0)
                        {
                            context.Append(SegmentKind.Environment, closing, turn);
                        }

                        trajectory.FinalAnswer = answer.Answer;
                        Finish(trajectory, TerminationReason.Answered, null);
                        return Complete(trajectory, clock);

                    case MalformedTurn malformed:
                        AddTurn(trajectory, progress, record with { Error = malformed.Error });
                        if (_options.OnProtocolError == ProtocolErrorPolicy.Terminate || turn == _options.MaxTurns)
                        {
                            Finish(trajectory, _options.OnProtocolError == ProtocolErrorPolicy.Terminate ? TerminationReason.ProtocolError : TerminationReason.MaxTurns,
                                $"turn {turn}: {malformed.Error}");
                            return Complete(trajectory, clock);
                        }

                        string feedback = _formatter.Render(new ToolErrorObservation(
                            $"format error: {malformed.Error.Message}. Reply with <think>…</think> followed by either <tool_call>…</tool_call> or <answer>…</answer>."));
                        AppendObservation(context, messages, closing, feedback, prefill, turn);
                        continue;

                    case ToolCallTurn toolTurn:
                        if (turn == _options.MaxTurns)
                        {
                            // The original also ends here: a call in the last round can never be followed by an answer.
                            AddTurn(trajectory, progress, record with { ToolCall = ToRecord(toolTurn.Call, 0, CacheStatus.None, null, string.Empty) });
                            Finish(trajectory, TerminationReason.MaxTurns, $"still calling tools after {_options.MaxTurns} turns");
                            return Complete(trajectory, clock);
                        }

                        ToolOutcome outcome = await CallToolAsync(toolTurn.Call, trajectory, cancellationToken);
                        if (outcome.FatalError is not null)
                        {
                            AddTurn(trajectory, progress, record with { ToolCall = ToRecord(toolTurn.Call, outcome.LatencyMs, CacheStatus.None, outcome.FatalError, string.Empty) });
                            Finish(trajectory, TerminationReason.ToolFailure, $"turn {turn}: {toolTurn.Call.Name} failed: {outcome.FatalError}");
                            return Complete(trajectory, clock);
                        }

                        string observation = _formatter.Render(outcome.Result!.Observation);
                        AddTurn(trajectory, progress, record with
                        {
                            ToolCall = ToRecord(toolTurn.Call, outcome.LatencyMs, outcome.Result.Cache, outcome.Result.Error, observation),
                        });
                        AppendObservation(context, messages, closing, observation, prefill, turn);
                        continue;
                }
            }

            if (trajectory.Termination == TerminationReason.None)
            {
                Finish(trajectory, TerminationReason.MaxTurns, $"no answer after {_options.MaxTurns} turns");
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            trajectory.TerminationDetail = "cancelled";
            throw;
        }
        finally
        {
            Close(span, trajectory);
        }

        return Complete(trajectory, clock);
    }

    // Splits a rendering around the marker, so the text that came from outside can be tokenised as untrusted.
    private const string Marker = "\u0001\u0002outside-text\u0002\u0001";

    private static (string Before, string After) Around(string rendered)
    {
        int at = rendered.IndexOf(Marker, StringComparison.Ordinal);
        return at < 0
            ? throw new InvalidOperationException("The chat template dropped the content it was given.")
            : (rendered[..at], rendered[(at + Marker.Length)..]);
    }

    private static void AddTurn(Trajectory trajectory, IProgress<TurnRecord>? progress, TurnRecord turn)
    {
        trajectory.Turns.Add(turn);
        progress?.Report(turn);
    }

    private void AppendObservation(ContextBuffer context, List<ChatMessage> messages, string closing, string observation, string prefill, int turn)
    {
        IPromptRenderer template = _options.Template;
        (string before, string after) = Around(template.ToolResponseTurn(Marker));
        context.Append(SegmentKind.Environment, turn, (closing + before, false), (observation, true), (after + template.AssistantTurnStart + prefill, false));
        messages.Add(ChatMessage.User(template.ToolResponseContent(observation)));
    }

    private async Task<ToolOutcome> CallToolAsync(ToolCall call, Trajectory trajectory, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using Activity? span = ResearchTracing.Source.StartActivity(ActivityKind.Internal, tags:
            [new(ResearchTracing.TrajectoryIdTag, trajectory.Id), new(ResearchTracing.ToolTag, call.Name)], name: "research.tool_call");
        span?.SetTag("deepresearcher.queries", call.Queries.Count);
        span?.SetTag("deepresearcher.urls", call.Urls.Count);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ToolTimeout);
        try
        {
            ToolResult result = await _toolbox.ExecuteAsync(call, new ToolContext(trajectory.Id, trajectory.Question), deadline.Token);
            span?.SetTag(ResearchTracing.CacheTag, result.Cache.ToString().ToLowerInvariant());
            if (result.Error is not null)
            {
                span?.SetStatus(ActivityStatusCode.Error, result.Error);
            }

            return new ToolOutcome(result, null, clock.Elapsed.TotalMilliseconds);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            string message = $"{call.Name} timed out after {_options.ToolTimeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s";
            span?.SetStatus(ActivityStatusCode.Error, message);
            return new ToolOutcome(ToolResult.Failure(message), null, clock.Elapsed.TotalMilliseconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            return new ToolOutcome(null, $"{ex.GetType().Name}: {ex.Message}", clock.Elapsed.TotalMilliseconds);
        }
    }

    private static ToolCallRecord ToRecord(ToolCall call, double latencyMs, CacheStatus cache, string? error, string observation) => new()
    {
        Name = call.Name,
        Arguments = call.Arguments,
        Queries = call.Queries,
        Urls = call.Urls,
        DroppedQueries = call.DroppedQueries,
        LatencyMs = latencyMs,
        Cache = cache,
        Error = error,
        Observation = observation,
    };

    private static void Finish(Trajectory trajectory, TerminationReason reason, string? detail)
    {
        trajectory.Termination = reason;
        trajectory.TerminationDetail = detail;
    }

    private static Trajectory Complete(Trajectory trajectory, Stopwatch clock)
    {
        trajectory.ElapsedMs = clock.Elapsed.TotalMilliseconds;
        return trajectory;
    }

    private static void Close(Activity? span, Trajectory trajectory)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag(ResearchTracing.TerminationTag, trajectory.Termination.ToString().ToLowerInvariant());
        span.SetTag("deepresearcher.turns", trajectory.Turns.Count);
        if (trajectory.Termination is TerminationReason.ModelFailure or TerminationReason.ToolFailure)
        {
            span.SetStatus(ActivityStatusCode.Error, trajectory.TerminationDetail);
        }
    }

    private sealed record ToolOutcome(ToolResult? Result, string? FatalError, double LatencyMs);

    /// <summary>Appends segments and keeps the running token context (exact with a tokenizer, estimated without).</summary>
    private sealed class ContextBuffer(Trajectory trajectory, ITextTokenizer? tokenizer)
    {
        private readonly List<int> _ids = [];
        private int _estimatedTokens;

        public IReadOnlyList<int> TokenIds => _ids;

        public int TokenCount => tokenizer is null ? _estimatedTokens : _ids.Count;

        public void Append(SegmentKind kind, string text, int turn) => Append(kind, turn, (text, false));

        /// <summary>One segment made of template parts and outside text, each tokenised by its own rule.</summary>
        public void Append(SegmentKind kind, int turn, params (string Text, bool Untrusted)[] parts)
        {
            string text = string.Concat(parts.Select(p => p.Text));
            var segment = new TrajectorySegment { Kind = kind, Text = text, Turn = turn };
            if (tokenizer is not null)
            {
                var ids = new List<int>();
                foreach ((string part, bool untrusted) in parts)
                {
                    if (part.Length > 0)
                    {
                        ids.AddRange(untrusted ? tokenizer.EncodeUntrusted(part) : tokenizer.Encode(part));
                    }
                }

                segment.TokenIds = [.. ids];
                _ids.AddRange(segment.TokenIds);
            }
            else
            {
                _estimatedTokens += EstimateTokens(text);
            }

            trajectory.Segments.Add(segment);
        }

        public void AppendPolicy(ModelReply reply, int turn)
        {
            var segment = new TrajectorySegment
            {
                Kind = SegmentKind.Policy,
                Text = reply.Text,
                Turn = turn,
                TokenIds = reply.TokenIds,
                LogProbs = reply.LogProbs,
            };
            if (tokenizer is not null)
            {
                // Re-tokenising the text here would silently break the loss mask's exactness.
                _ids.AddRange(segment.TokenIds ?? throw new InvalidOperationException(
                    $"The token-level model returned no token ids for turn {turn}; it must return the ids it sampled."));
            }
            else
            {
                _estimatedTokens += reply.CompletionTokens > 0 ? reply.CompletionTokens : EstimateTokens(reply.Text);
            }

            trajectory.Segments.Add(segment);
        }

        /// <summary>Without a tokenizer, the server's own prompt count is the best measure of the context so far.</summary>
        public void ObserveUsage(ModelReply reply)
        {
            if (tokenizer is null && reply.PromptTokens > 0)
            {
                _estimatedTokens = Math.Max(_estimatedTokens, reply.PromptTokens + reply.CompletionTokens);
            }
        }

        // About four characters per token for English text with BPE vocabularies.
        private static int EstimateTokens(string text) => (text.Length + 3) / 4;
    }
}
