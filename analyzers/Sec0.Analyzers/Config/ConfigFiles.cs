using System;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Sec0.Analyzers.Config;

/// <summary>Finds sec0.config.yaml among a project's AdditionalFiles.</summary>
internal static class ConfigFiles
{
    public const string FileName = "sec0.config.yaml";

    /// <summary>True when the file name (not the folder) is sec0.config.yaml, in any letter case.</summary>
    public static bool IsConfigFile(string? path)
    {
        if (path is null || path.Length < FileName.Length)
        {
            return false;
        }

        // Both separators: the path may come from Windows or Unix whatever the host is.
        var nameStart = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\')) + 1;
        return path.Length - nameStart == FileName.Length
            && string.Compare(path, nameStart, FileName, 0, FileName.Length, StringComparison.OrdinalIgnoreCase) == 0;
    }

    /// <summary>The first AdditionalFiles item named sec0.config.yaml, or null.</summary>
    public static AdditionalText? Find(ImmutableArray<AdditionalText> additionalFiles)
    {
        foreach (var file in additionalFiles)
        {
            if (IsConfigFile(file.Path))
            {
                return file;
            }
        }

        return null;
    }
}
