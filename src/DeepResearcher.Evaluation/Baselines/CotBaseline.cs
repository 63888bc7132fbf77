using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DeepResearcher.Core.Agent;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Protocol.Observations;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Evaluation.Datasets;

namespace DeepResearcher.Evaluation.Baselines;

/// <summary>
/// The CoT and CoT+RAG baselines: one generation that reasons and answers, optionally after one search with the
/// question whose top results are put into the prompt. The result is a <see cref="Trajectory"/> like the agent's
/// (a search turn when retrieving, then the answer turn), so runs, scores and the viewer treat both alike.
/// </summary>
public sealed partial class CotBaseline(IChatModel model, BaselineKind kind, IToolbox? retrieval = null, int topResults = 5, SamplingOptions? sampling = null)
{
    public const string SystemPrompt =
        "Answer the question. First think it through step by step inside <think></think>, then give only the final answer " +
        "(a few words, a number or a short phrase, with no explanation; answer yes/no questions with only yes or no) inside <answer></answer>.";

    private readonly ObservationFormatter _formatter = new(ObservationFormat.Paper);

    public async Task<Trajectory> RunAsync(QaExample example, int sample, string trajectoryId, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var trajectory = new Trajectory { Id = trajectoryId, Question = example.Question, QuestionId = example.Id, Model = model.Name, Template = kind == BaselineKind.Cot ? "cot" : "cot-rag" };
        var user = new StringBuilder();
        int turn = 1;
        if (kind == BaselineKind.CotRag)
        {
            if (retrieval is null)
            {
                throw new InvalidOperationException("the CoT+RAG baseline needs a search tool (--world DIR)");
            }

            var call = new ToolCall(ResearchTools.WebSearchName, new JsonObject { ["query"] = new JsonArray(example.Question) }) { Queries = [example.Question] };
            var searchClock = Stopwatch.StartNew();
            ToolResult result = await retrieval.ExecuteAsync(call, new ToolContext(trajectoryId, example.Question), cancellationToken);
            ToolObservation observation = result.Observation is SearchObservation search
                ? new SearchObservation([.. search.Queries.Select(q => q with { Hits = [.. q.Hits.Take(topResults)] })])
                : result.Observation;
            string text = _formatter.Render(observation);
            trajectory.Turns.Add(new TurnRecord
            {
                Index = turn++,
                Generated = string.Empty,
                Action = TurnAction.ToolCall,
                Think = "Retrieval step of the CoT+RAG baseline: one search with the question.",
                ToolCall = new ToolCallRecord
                {
                    Name = call.Name, Arguments = call.Arguments, Queries = call.Queries, LatencyMs = searchClock.Elapsed.TotalMilliseconds,
                    Cache = result.Cache, Error = result.Error, Observation = text,
                },
            });
            user.Append("Search results for the question:\n").Append(text).Append("\n\n");
        }

        user.Append("Question: ").Append(example.Question);
        var request = new GenerationRequest
        {
            Messages = [ChatMessage.System(SystemPrompt), ChatMessage.User(user.ToString())],
            Sampling = (sampling ?? new SamplingOptions()) with { StopSequences = ["</answer>"] },
            TrajectoryId = trajectoryId,
        };
        var modelClock = Stopwatch.StartNew();
        ModelReply reply;
        try
        {
            reply = await model.GenerateAsync(request, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            trajectory.Termination = TerminationReason.ModelFailure;
            trajectory.TerminationDetail = $"the model call failed: {ex.Message}";
            trajectory.ElapsedMs = clock.Elapsed.TotalMilliseconds;
            return trajectory;
        }

        trajectory.Usage = trajectory.Usage.Add(reply.PromptTokens, reply.CompletionTokens);
        Match answer = AnswerPattern().Match(reply.Text);
        string think = ThinkTags().Replace(answer.Success ? reply.Text[..answer.Index] : reply.Text, string.Empty).Trim();
        trajectory.Turns.Add(new TurnRecord
        {
            Index = turn,
            Generated = reply.Text,
            Action = answer.Success ? TurnAction.Answer : TurnAction.Error,
            Think = think,
            Answer = answer.Success ? answer.Groups[1].Value.Trim() : null,
            FinishReason = reply.FinishReason.ToString().ToLowerInvariant(),
            CompletionTokens = reply.CompletionTokens,
            ModelLatencyMs = modelClock.Elapsed.TotalMilliseconds,
        });
        trajectory.FinalAnswer = answer.Success ? answer.Groups[1].Value.Trim() : null;
        trajectory.Termination = answer.Success ? TerminationReason.Answered : TerminationReason.ProtocolError;
        trajectory.TerminationDetail = answer.Success ? null : "the reply has no <answer> tag";
        trajectory.Tags["baseline"] = kind == BaselineKind.Cot ? "cot" : "cot-rag";
        trajectory.ElapsedMs = clock.Elapsed.TotalMilliseconds;
        return trajectory;
    }

    // The last <answer>; a missing close tag is accepted because servers drop the stop string.
    [GeneratedRegex(@"<answer>((?:(?!<answer>).)*?)(?:</answer>|$)(?!.*<answer>)", RegexOptions.Singleline)]
    private static partial Regex AnswerPattern();

    [GeneratedRegex(@"</?think>")]
    private static partial Regex ThinkTags();
}
