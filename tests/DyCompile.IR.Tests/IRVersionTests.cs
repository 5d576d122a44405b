using DyCompile.IR;

namespace DyCompile.IR.Tests;

public class IRVersionTests
{
    [Fact]
    public void TextFormatVersionIsPositive() => Assert.True(IRVersion.TextFormat > 0);
}
