namespace DeepResearcher.World.Questions;

public enum QuestionSplit
{
    Train,
    Dev,
    Test,
}
