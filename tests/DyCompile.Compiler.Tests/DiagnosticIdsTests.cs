using System.Reflection;
using DyCompile.Compiler;

namespace DyCompile.Compiler.Tests;

public class DiagnosticIdsTests
{
    [Fact]
    public void EveryIdHasTheDycFormAndIsUnique()
    {
        var ids = typeof(DiagnosticIds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (string)f.GetValue(null)!).ToList();
        Assert.All(ids, id => Assert.Matches("^DYC[0-9]{4}$", id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
