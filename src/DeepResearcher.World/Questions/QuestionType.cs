namespace DeepResearcher.World.Questions;

public enum QuestionType
{
    OneHop,
    TwoHop,
    ThreeHop,
    Comparison,
    YesNo,
    Deep,
}
