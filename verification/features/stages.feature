Feature: Stage catalogue
  Operators and the workflow renderer list the installed stages and the requirements each one
  implements.

  @SRS-018
  Scenario: The stage catalogue lists every stage as JSON
    When I run "bp2 stage list --json"
    Then the exit code is 0
    And the output is a JSON list whose entries name their id, version and implements
