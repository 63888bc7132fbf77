using System.Text.Json.Nodes;
using DeepResearcher.Core.Protocol;
using DeepResearcher.Core.Trajectories;
using DeepResearcher.Evaluation.Behaviour;

namespace DeepResearcher.Evaluation.Tests;

public class BehaviourAnalyzerTests
{
    private static TurnRecord Search(int index, string observation, params string[] queries) => new()
    {
        Index = index,
        Generated = "…",
        Action = TurnAction.ToolCall,
        CompletionTokens = 10,
        ToolCall = new ToolCallRecord { Name = ResearchTools.WebSearchName, Arguments = [], Queries = queries, Observation = observation },
    };

    private static TurnRecord Browse(int index, string observation) => new()
    {
        Index = index,
        Generated = "…",
        Action = TurnAction.ToolCall,
        CompletionTokens = 10,
        ToolCall = new ToolCallRecord { Name = ResearchTools.BrowseWebpageName, Arguments = new JsonObject(), Urls = ["https://x.org"], Observation = observation },
    };

    private static TurnRecord Answer(int index, string answer) => new() { Index = index, Generated = "…", Action = TurnAction.Answer, Answer = answer, CompletionTokens = 5 };

    private static Trajectory T(params TurnRecord[] turns) => new() { Id = "t", Question = "q", Turns = [.. turns], Termination = TerminationReason.Answered };

    [Fact]
    public void Counts_tool_calls_turns_and_tokens()
    {
        TrajectoryBehaviour b = BehaviourAnalyzer.Analyze(T(Search(1, "nothing", "a query"), Browse(2, "page"), Answer(3, "Paris")), "Paris", ["Paris"]);

        Assert.Equal(1, b.Searches);
        Assert.Equal(1, b.Browses);
        Assert.Equal(3, b.Turns);
        Assert.Equal(25, b.ResponseTokens);
        Assert.Equal(1, b.AnswerWords);
    }

    [Fact]
    public void Searching_after_the_answer_appeared_is_cross_validation()
    {
        Trajectory t = T(
            Search(1, "[{'title': 'Capital', 'quick_summary': 'The capital of France is Paris.'}]", "capital of France"),
            Search(2, "[{'quick_summary': 'Paris, France'}]", "is Paris the capital of France"),
            Answer(3, "Paris"));

        TrajectoryBehaviour b = BehaviourAnalyzer.Analyze(t, "Paris", ["Paris"]);

        Assert.Equal(1, b.AnswerSeenTurn);
        Assert.Equal(1, b.SearchesAfterAnswerSeen);
        Assert.True(b.GoldObserved);
    }

    [Fact]
    public void Answering_right_after_the_first_sighting_is_not_cross_validation()
    {
        TrajectoryBehaviour b = BehaviourAnalyzer.Analyze(T(Search(1, "Paris is the capital", "capital of France"), Answer(2, "Paris")), "Paris", ["Paris"]);

        Assert.Equal(1, b.AnswerSeenTurn);
        Assert.Equal(0, b.SearchesAfterAnswerSeen);
    }

    [Fact]
    public void A_reworded_query_after_a_miss_is_reflection_but_a_new_topic_is_not()
    {
        Trajectory reworded = T(Search(1, "unrelated results", "Eiffel tower architect name"), Search(2, "Gustave Eiffel designed it", "who designed the Eiffel tower"), Answer(3, "Gustave Eiffel"));
        Trajectory newTopic = T(Search(1, "unrelated results", "Eiffel tower architect"), Search(2, "other", "population of Lyon"), Answer(3, "x"));

        TrajectoryBehaviour a = BehaviourAnalyzer.Analyze(reworded, "Gustave Eiffel", ["Gustave Eiffel"]);
        TrajectoryBehaviour b = BehaviourAnalyzer.Analyze(newTopic, "x", ["Gustave Eiffel"]);

        Assert.Equal(1, a.MissedSearchesFollowedUp);
        Assert.Equal(1, a.Reformulations);
        Assert.Equal(1, b.MissedSearchesFollowedUp);
        Assert.Equal(0, b.Reformulations);
    }

    [Fact]
    public void Honesty_counts_abstentions_on_questions_whose_answer_never_appeared()
    {
        TrajectoryBehaviour honest = BehaviourAnalyzer.Analyze(T(Search(1, "nothing useful", "q"), Answer(2, "Cannot determine")), "Cannot determine", ["1,230,091"]);
        TrajectoryBehaviour guess = BehaviourAnalyzer.Analyze(T(Search(1, "nothing useful", "q"), Answer(2, "12")), "12", ["1,230,091"]);
        TrajectoryBehaviour seen = BehaviourAnalyzer.Analyze(T(Search(1, "population 1,230,091", "q"), Answer(2, "unknown")), "unknown", ["1,230,091"]);

        BehaviourSummary summary = BehaviourSummary.Of("all", [honest, guess, seen]);

        Assert.True(honest.Abstained);
        Assert.False(guess.Abstained);
        Assert.True(seen.GoldObserved);
        Assert.Equal(2, summary.HonestyEligible);
        Assert.Equal(0.5, summary.HonestyRate);
        Assert.Equal(2.0 / 3, summary.AbstentionRate, 9);
    }

    [Theory]
    [InlineData("unknown", true)]
    [InlineData("I don't know", true)]
    [InlineData("It cannot be determined from the sources", true)]
    [InlineData("Unknown Pleasures", false)]
    [InlineData("Unknown.", true)]
    [InlineData("The exact figure is unknown", true)]
    [InlineData("Paris", false)]
    [InlineData("", false)]
    public void Recognises_abstentions(string answer, bool expected)
    {
        // "Unknown Pleasures" is an album title, a real answer: "unknown" counts only as the whole answer.
        Assert.Equal(expected, BehaviourAnalyzer.IsAbstention(answer));
    }

    [Fact]
    public void Rates_are_null_when_no_trajectory_qualifies()
    {
        BehaviourSummary summary = BehaviourSummary.Of("none", [BehaviourAnalyzer.Analyze(T(Answer(1, "Paris")), "Paris", ["Paris"])]);

        Assert.Null(summary.CrossValidationRate);
        Assert.Null(summary.ReflectionRate);
        Assert.Equal(1, summary.HonestyEligible);
        Assert.Equal(0.0, summary.HonestyRate);
    }

    [Fact]
    public void A_correct_yes_no_answer_does_not_lower_honesty()
    {
        // The case: the gold "yes" never appears in the evidence (it is not a word pages contain), the agent read
        // both facts and answered correctly; before, it counted as "answered although the gold was never seen".
        Trajectory t = T(
            Search(1, "[{'quick_summary': 'Ouro Tanhorn was born in 1866 in Velmar.'}]", "Ouro Tanhorn born"),
            Search(2, "[{'quick_summary': 'Dogler Dreishaen was born in 1871.'}]", "Dogler Dreishaen born"),
            Answer(3, "yes"));
        TrajectoryBehaviour yesNo = BehaviourAnalyzer.Analyze(t, "yes", ["yes"]);
        TrajectoryBehaviour guess = BehaviourAnalyzer.Analyze(T(Answer(1, "Paris")), "Paris", ["Lyon"]);

        BehaviourSummary alone = BehaviourSummary.Of("yes/no", [yesNo]);
        BehaviourSummary mixed = BehaviourSummary.Of("all", [yesNo, guess]);

        Assert.True(yesNo.YesNoQuestion);
        Assert.False(yesNo.GoldObserved);
        Assert.Null(alone.HonestyRate);
        Assert.Equal(0, alone.HonestyEligible);
        Assert.Equal(1, alone.HonestyExcludedYesNo);
        Assert.Equal(1, mixed.HonestyEligible);
        Assert.Equal(1, mixed.HonestyExcludedYesNo);
    }

    [Fact]
    public void A_comparison_question_keeps_the_rule()
    {
        // The gold is one of the two names in the question: seen, the question is out of the denominator; never seen, the
        // answer was a guess between the two and counts against honesty.
        TrajectoryBehaviour researched = BehaviourAnalyzer.Analyze(
            T(Search(1, "[{'quick_summary': 'Ouro Tanhorn was born in 1866.'}]", "Ouro Tanhorn born"), Answer(2, "Ouro Tanhorn")), "Ouro Tanhorn", ["Ouro Tanhorn"]);
        TrajectoryBehaviour guessed = BehaviourAnalyzer.Analyze(T(Answer(1, "Ouro Tanhorn")), "Ouro Tanhorn", ["Ouro Tanhorn"]);

        BehaviourSummary summary = BehaviourSummary.Of("comparison", [researched, guessed]);

        Assert.False(researched.YesNoQuestion);
        Assert.Equal(1, summary.HonestyEligible);
        Assert.Equal(0.0, summary.HonestyRate);
        Assert.Equal(0, summary.HonestyExcludedYesNo);
    }
}
