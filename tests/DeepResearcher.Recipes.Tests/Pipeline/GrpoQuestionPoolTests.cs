using DeepResearcher.Recipes.Pipeline;
using DeepResearcher.World.Questions;

namespace DeepResearcher.Recipes.Tests.Pipeline;

public sealed class GrpoQuestionPoolTests
{
    private static WorldQuestion Question(string id, string answerEntity) => new()
    {
        Id = id,
        Question = $"question {id}",
        Answers = ["x"],
        Hops = 1,
        Type = QuestionType.OneHop,
        AnswerEntity = answerEntity,
        AnswerPage = $"/wiki/{answerEntity}",
        Path = [],
    };

    [Fact]
    public void Leaves_out_the_demonstrated_questions_and_keeps_the_rest_in_train_order()
    {
        WorldQuestion bornWhen = Question("q1", "E1"), bornWhich = Question("q2", "E1"), other = Question("q3", "E2"), third = Question("q4", "E3");

        List<WorldQuestion> pool = GrpoQuestionPool.Select([bornWhen, bornWhich, other, third], [third, bornWhen]);

        // q2 shares q1's answer page but was not demonstrated itself: it stays.
        Assert.Equal(["q2", "q3"], pool.Select(q => q.Id));
    }

    [Fact]
    public void Falls_back_to_all_train_questions_when_every_one_was_demonstrated()
    {
        WorldQuestion a = Question("q1", "E1"), b = Question("q2", "E2");

        Assert.Equal(["q1", "q2"], GrpoQuestionPool.Select([a, b], [a, b]).Select(q => q.Id));
        Assert.Equal(["q1", "q2"], GrpoQuestionPool.Select([a, b], []).Select(q => q.Id));
    }
}
