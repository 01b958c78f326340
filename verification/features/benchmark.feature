@SRS-312
Feature: Benchmarking a call set against a truth set
  Laboratory scientists run the installed `bp2 benchmark` command to measure recall and
  precision of small-variant calls against a truth set (GA4GH definitions, hap.py's outputs).

  @SRS-309 @SRS-310
  Scenario: hap.py's decomposition case scores perfectly, with confidence intervals
    Given hap.py's decomp case in "decomp"
    When I run "bp2 benchmark --truth decomp/decomp_test.truth.vcf.gz --query decomp/decomp_test.query.vcf.gz --confident decomp/decomp_test.conf.bed.gz --outdir out"
    Then the exit code is 0
    And the output says "SNP   PASS recall 1.0000 [0.3424-1.0000]"
    And the file "out/summary.csv" contains "SNP,PASS,2,2,0,2,2,0,0,0,0,1.0,1.0,0.0,1.0"
    And the file "out/summary.csv" contains "METRIC.Recall.CI95.Lower"

  @SRS-307
  Scenario: Contig names of different styles are refused, naming both
    Given a truth VCF on contig "chr21" and a query VCF on contig "21"
    When I run "bp2 benchmark --truth truth.vcf --query query.vcf --outdir out"
    Then the exit code is 3
    And the errors say "the truth and query VCFs share no contig"
