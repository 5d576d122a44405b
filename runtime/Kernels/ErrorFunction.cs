namespace DyCompile.Runtime;

/// <summary>erf and erfc of single-precision values, for kernels and for generated code that needs
/// them per element (.NET provides neither).</summary>
public static class ErrorFunction
{
    public static float Erf(float x) => float.IsNaN(x) ? x : (float)SpecialFunctions.Erf(x);

    public static float Erfc(float x) => float.IsNaN(x) ? x : (float)SpecialFunctions.Erfc(x);

    /// <summary>The standard normal CDF Φ(x) = erfc(−x/√2)/2, evaluated in double from x itself.</summary>
    public static float NormalCdf(float x) => float.IsNaN(x) ? x : (float)SpecialFunctions.NormalCdf(x);
}
