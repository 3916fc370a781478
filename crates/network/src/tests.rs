use super::*;
use expect_test::expect;

fn req(target: &str, host: &str) -> Request {
    Request { method: "GET".into(), target: target.into(), headers: vec![("Host".into(), host.into()), ("User-Agent".into(), "curl/8.14.1".into()), ("Accept".into(), "*/*".into())], body: String::new() }
}

fn serve_text(server: servers::Server, r: &Request) -> String {
    let mut files = BTreeMap::new();
    files.insert("/usr/share/nginx/html/index.html".to_string(), kubelet::rootfs::NGINX_INDEX_HTML.to_string());
    let env = vec![];
    let view = kubelet::rootfs::FilesView { own: &files, mounts: vec![] };
    let ctx = servers::ServeCtx { hostname: "web-1", client_ip: "172.16.221.130", client_port: 40000, now: "2026-01-05T09:01:02Z".parse().unwrap(), files: &view, env: &env, connection: 3 };
    let s = servers::serve(server, &ctx, r);
    format!("{}{}--log--\n{}\n", s.response.head_text().replace("\r\n", "\n"), s.response.body, s.log.join("\n"))
}

#[test]
fn servers_answer_as_the_images_do() {
    let nginx = serve_text(servers::Server::Nginx, &req("/", "10.96.0.20"));
    assert!(nginx.starts_with("HTTP/1.1 200 OK\nServer: nginx/1.29.1\nDate: Mon, 05 Jan 2026 09:01:02 GMT\nContent-Type: text/html\nContent-Length: 615\n"), "{nginx}");
    assert_eq!(kubelet::rootfs::NGINX_INDEX_HTML.len(), 615);
    assert!(nginx.ends_with("--log--\n172.16.221.130 - - [05/Jan/2026:09:01:02 +0000] \"GET / HTTP/1.1\" 200 615 \"-\" \"curl/8.14.1\" \"-\"\n"), "{nginx}");
    expect![[r#"
        HTTP/1.1 404 Not Found
        Server: nginx/1.29.1
        Date: Mon, 05 Jan 2026 09:01:02 GMT
        Content-Type: text/html
        Content-Length: 153
        Connection: keep-alive

        <html>
        <head><title>404 Not Found</title></head>
        <body>
        <center><h1>404 Not Found</h1></center>
        <hr><center>nginx/1.29.1</center>
        </body>
        </html>
        --log--
        2026/01/05 09:01:02 [error] 29#29: *3 open() "/usr/share/nginx/html/x" failed (2: No such file or directory), client: 172.16.221.130, server: localhost, request: "GET /x HTTP/1.1", host: "10.96.0.20"
        172.16.221.130 - - [05/Jan/2026:09:01:02 +0000] "GET /x HTTP/1.1" 404 153 "-" "curl/8.14.1" "-"
    "#]]
    .assert_eq(&serve_text(servers::Server::Nginx, &req("/x", "10.96.0.20")).replace('\r', ""));
    expect![[r#"
        HTTP/1.1 200 OK
        Date: Mon, 05 Jan 2026 09:01:02 GMT
        Content-Type: text/plain
        Transfer-Encoding: chunked
        Connection: keep-alive
        Server: echoserver



        Hostname: web-1

        Pod Information:
        	-no pod information available-

        Server values:
        	server_version=nginx: 1.13.3 - lua: 10008

        Request Information:
        	client_address=172.16.221.130
        	method=GET
        	real path=/a?b=1
        	query=b=1
        	request_version=1.1
        	request_scheme=http
        	request_uri=http://10.96.0.20:8080/a?b=1

        Request Headers:
        	accept=*/*  
        	host=10.96.0.20  
        	user-agent=curl/8.14.1  

        Request Body:
        	-no body in request-

        --log--
        172.16.221.130 - - [05/Jan/2026:09:01:02 +0000] "GET /a?b=1 HTTP/1.1" 200 420 "-" "curl/8.14.1"
    "#]]
    .assert_eq(&serve_text(servers::Server::EchoServer, &req("/a?b=1", "10.96.0.20")));
    expect![[r#"
        HTTP/1.1 200 OK
        Content-Type: text/plain
        Date: Mon, 05 Jan 2026 09:01:02 GMT
        Content-Length: 99

        Request served by web-1

        GET / HTTP/1.1

        Host: 10.96.0.20:8080
        Accept: */*
        User-Agent: curl/8.14.1
        --log--
        172.16.221.130:40000 | GET /
    "#]]
    .assert_eq(&serve_text(servers::Server::JmallocEchoServer, &req("/", "10.96.0.20:8080")));
}

#[test]
fn resolver_search_order() {
    let search = dns::pod_search("default");
    assert_eq!(dns::candidates("web", &search, dns::NDOTS), ["web.default.svc.cluster.local", "web.svc.cluster.local", "web.cluster.local", "web"]);
    assert_eq!(dns::candidates("a.b.c.d.e.f", &search, dns::NDOTS)[0], "a.b.c.d.e.f");
    assert_eq!(dns::candidates("web.default.svc.cluster.local.", &search, dns::NDOTS), ["web.default.svc.cluster.local"]);
    assert_eq!(dns::literal_ipv4("10.96.0.1").as_deref(), Some("10.96.0.1"));
    assert_eq!(dns::literal_ipv4("10.96.0"), None);
}

/// The kubelet's probe request on the wire, and what nginx answers a
/// directory without an index.
#[test]
fn probe_requests_and_directory_index() {
    let r = probes::probe_request("172.16.221.130", 80, "/healthz", &[("x-custom".into(), "Awesome".into()), ("Accept".into(), "".into())]);
    let mut files = BTreeMap::new();
    files.insert("/usr/share/nginx/html/other.html".to_string(), "x".to_string());
    let view = kubelet::rootfs::FilesView { own: &files, mounts: vec![] };
    let ctx = servers::ServeCtx { hostname: "web-1", client_ip: "172.16.221.129", client_port: 40000, now: "2026-01-05T09:01:02Z".parse().unwrap(), files: &view, env: &[], connection: 7 };
    let s = servers::serve(servers::Server::Nginx, &ctx, &probes::probe_request("172.16.221.130", 80, "/", &[]));
    expect![[r#"
        [("Host", "172.16.221.130:80"), ("User-Agent", "kube-probe/1.37"), ("Accept-Encoding", "gzip"), ("Connection", "close"), ("X-Custom", "Awesome")]
        403 Forbidden
        2026/01/05 09:01:02 [error] 29#29: *7 directory index of "/usr/share/nginx/html/" is forbidden, client: 172.16.221.129, server: localhost, request: "GET / HTTP/1.1", host: "172.16.221.130:80"
        172.16.221.129 - - [05/Jan/2026:09:01:02 +0000] "GET / HTTP/1.1" 403 153 "-" "kube-probe/1.37" "-""#]].assert_eq(&format!("{:?}\n{} {}\n{}", r.headers, s.response.status, s.response.reason, s.log.join("\n")));
}
