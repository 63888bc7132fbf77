namespace DeepResearcher.World.Storage;

/// <summary>A world directory is missing, incomplete, corrupted or does not match its manifest. The message names the file and the fix.</summary>
public sealed class InvalidWorldDirectoryException : Exception
{
    public InvalidWorldDirectoryException()
    {
    }

    public InvalidWorldDirectoryException(string message)
        : base(message)
    {
    }

    public InvalidWorldDirectoryException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
