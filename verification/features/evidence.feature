@SRS-363
Feature: Verifying and approving a release evidence bundle
  Quality managers and auditors run the installed `bp2 evidence` commands to sign a release
  evidence bundle and to check that its files are exactly those released and that the people the
  release plan names have approved it. Verification and approval are distinct verdicts.

  Background:
    Given an evidence bundle with its manifest, a reviewer and a quality manager enrolled

  @SRS-353
  Scenario: A bundle signed by the reviewer and the quality manager is approved
    When I run "bp2 evidence sign bundle --key keys/rita.pem --signer 'Rita Reviewer' --role reviewer --meaning reviewed --passphrase-file passphrase.txt"
    Then the exit code is 0
    When I run "bp2 evidence verify bundle"
    Then the exit code is 1
    And the output says "integrity verified; NOT approved: missing role quality-manager ('approved for release')"
    When I run "bp2 evidence sign bundle --key keys/quentin.pem --signer 'Quentin Manager' --role quality-manager --meaning 'approved for release' --passphrase-file passphrase.txt"
    Then the exit code is 0
    When I run "bp2 evidence verify bundle"
    Then the exit code is 0
    And the output says "verified; approved for release by Rita Reviewer (reviewer, 'reviewed',"

  @SRS-354
  Scenario: A key without a passphrase cannot sign
    Given an unprotected private key "plain.pem"
    When I run "bp2 evidence sign bundle --key plain.pem --signer 'Rita Reviewer' --role reviewer --meaning reviewed --passphrase-file passphrase.txt"
    Then the exit code is 3
    And the errors say "the private key is not passphrase-protected"

  @SRS-354
  Scenario: A signer cannot sign in a role the signers list does not give them
    When I run "bp2 evidence sign bundle --key keys/rita.pem --signer 'Rita Reviewer' --role quality-manager --meaning 'approved for release' --passphrase-file passphrase.txt"
    Then the exit code is 3
    And the errors say "'Rita Reviewer' may not sign as 'quality-manager'"

  @SRS-356 @SRS-357
  Scenario Outline: A changed, added, removed or renamed file fails verification
    Given the bundle is reviewed and approved for release
    And the bundle is tampered with: <tampering>
    When I run "bp2 evidence verify bundle"
    Then the exit code is 1
    And the output says "<message>"
    And the errors say "verification FAILED"

    Examples:
      | tampering       | message                                                        |
      | byte            | changed: index.html — sha256 on disk                           |
      | added           | added: new.txt is on disk but not in the manifest              |
      | removed         | missing: steps.json is listed in the manifest but not on disk  |
      | renamed         | renamed: steps.json → steps-1.json (same content               |

  @SRS-358 @SRS-359
  Scenario Outline: A symbolic link or an edited manifest fails verification
    Given the bundle is reviewed and approved for release
    And the bundle is tampered with: <tampering>
    When I run "bp2 evidence verify bundle"
    Then the exit code is 1
    And the output says "<message>"
    And the errors say "verification FAILED"

    Examples:
      | tampering       | message                                                        |
      | symlinked       | refused even though its target's content matches the manifest  |
      | edited manifest | MANIFEST.json is not in the canonical form bp2 writes          |

  @SRS-360 @SRS-362
  Scenario Outline: A signature by an unlisted key, in a wrong role or over an older manifest fails verification
    Given the bundle is reviewed and approved for release
    And the bundle is tampered with: <tampering>
    When I run "bp2 evidence verify bundle"
    Then the exit code is 1
    And the output says "<message>"
    And the errors say "verification FAILED"

    Examples:
      | tampering       | message                                                        |
      | unlisted        | unlisted signer: signature by 'Rita Reviewer' as reviewer      |
      | wrong role      | role not allowed: signature by 'Quentin Manager'               |
      | older manifest  | signature over an older manifest                               |
