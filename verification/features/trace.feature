@SRS-045
Feature: Checking the design history
  Quality managers and auditors run the installed `bp2 trace` commands on a design history
  to see whether every need is designed for, implemented, verified and risk-controlled.

  Background:
    Given a design history where UN-001 is met by SRS-001, validated by VAL-001 and HAZ-001 is controlled by SRS-001
    And the test of SRS-001 passed

  @SRS-042
  Scenario: A complete design history passes the check
    When I run "bp2 trace check"
    Then the exit code is 0
    And the output says "0 error(s), 0 warning(s)"

  @SRS-043
  Scenario: A failing test of a risk control fails the check
    Given the test of SRS-001 failed
    When I run "bp2 trace check"
    Then the exit code is 1
    And the output reports "control-unverified" for "HAZ-001"
    And the output reports "test-failed" for "SRS-001"

  @SRS-035 @SRS-036
  Scenario: A changed user need makes its children suspect until they are reviewed
    Given the statement of UN-001 is changed
    When I run "bp2 trace check"
    Then the exit code is 1
    And the output reports "suspect-link" for "SRS-001"
    When I run "bp2 trace review SRS-001 VAL-001 --by 'A. Auditor'"
    Then the exit code is 0
    When I run "bp2 trace check"
    Then the exit code is 0

  @SRS-046 @SRS-047
  Scenario: The trace matrix is written as a static HTML page
    When I run "bp2 trace matrix --format html --out build/matrix.html"
    Then the exit code is 0
    And the file "build/matrix.html" contains "Content-Security-Policy"
    And the file "build/matrix.html" contains "SRS-001"

  @SRS-031
  Scenario: An invalid requirement stops the check with exit code 3
    Given SRS-001 has the type "wish"
    When I run "bp2 trace check"
    Then the exit code is 3
    And the errors say "requirements/SRS-001.yaml field 'type'"
