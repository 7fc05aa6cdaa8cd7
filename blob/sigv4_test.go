package blob

import (
	"net/http"
	"testing"
	"time"
)

// The example of the S3 API documentation ("Signature calculations for the
// Authorization header: transferring payload in a single chunk", GET
// Object): its published signature is what signV4 must compute.
func TestSignV4DocumentedExample(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Range", "bytes=0-9")
	c := Credentials{AccessKeyID: "AKIAIOSFODNN7EXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
	signV4(req, c, "us-east-1", "s3", emptySHA256, time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC))
	want := "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request," +
		"SignedHeaders=host;range;x-amz-content-sha256;x-amz-date," +
		"Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
	if got := req.Header.Get("Authorization"); got != want {
		t.Fatalf("Authorization:\n got %s\nwant %s", got, want)
	}
}

func TestURIEncode(t *testing.T) {
	for in, want := range map[string]string{"a-b_c.d~e": "a-b_c.d~e", "a b": "a%20b", "é": "%C3%A9", "a/b": "a%2Fb", "a+b=c": "a%2Bb%3Dc"} {
		if got := uriEncode(in); got != want {
			t.Errorf("uriEncode(%q) = %q, want %q", in, got, want)
		}
	}
}
